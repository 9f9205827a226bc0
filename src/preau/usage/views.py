"""Statistics pages (establishment, academy, national) and their CSV exports."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from preau.directory.models import Establishment
from preau.usage import charts, policies, selectors
from preau.usage.nomenclature import PROFILE_LABELS, PROFILES


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(rows: Iterable[list[str]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    lines: Iterator[str] = (writer.writerow(row) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _month(request: HttpRequest, last: date | None) -> date:
    return selectors.parse_month(request.GET.get("month"), last or timezone.localdate())


def _neighbours(month: date) -> dict[str, str]:
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return {"previous": f"{previous:%Y-%m}", "next": f"{following:%Y-%m}"}


def _charts(report: selectors.Report) -> dict[str, Any]:
    return {
        "visitors_chart": charts.line_chart(
            report.days,
            [
                (profile, PROFILE_LABELS[profile], report.daily_visitors.get(profile, []))
                for profile in PROFILES
            ],
        ),
        "services_chart": charts.bar_chart(
            [(service, service, visits) for service, visits, _ in report.services]
        ),
        "absences_chart": charts.column_chart(report.days, report.absences),
    }


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.can_read_any(actor):
        raise Http404
    return render(
        request,
        "usage/index.html",
        {
            "establishments": policies.visible_establishments(actor).order_by("name")[:200],
            "academies": policies.visible_academies(actor).order_by("name"),
            "national": actor.is_superuser,
        },
    )


@login_required
@require_GET
def establishment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = policies.access_establishment(request.actor, public_id)
    last = selectors.last_day()
    month = _month(request, last)
    report = selectors.report([school.pk], month, last)
    return render(
        request,
        "usage/establishment.html",
        {
            "establishment": school,
            "report": report,
            "month": month,
            "min_people": selectors.MIN_PEOPLE,
            **_neighbours(month),
            **_charts(report),
        },
    )


@login_required
@require_GET
def establishment_daily_csv(request: HttpRequest, public_id: UUID) -> StreamingHttpResponse:
    school = policies.access_establishment(request.actor, public_id)
    last = selectors.last_day()
    month = _month(request, last)
    return _csv(
        selectors.daily_rows(school, month, last), f"usage-{school.uai}-{month:%Y-%m}-daily.csv"
    )


@login_required
@require_GET
def establishment_monthly_csv(request: HttpRequest, public_id: UUID) -> StreamingHttpResponse:
    school = policies.access_establishment(request.actor, public_id)
    month = _month(request, selectors.last_day())
    return _csv(selectors.monthly_rows([school.pk], month), f"usage-{school.uai}-{month:%Y-%m}.csv")


def _scope_page(
    request: HttpRequest, establishments: list[Establishment], title: Any, export_url: str
) -> HttpResponse:
    last = selectors.last_day()
    month = _month(request, last)
    report = selectors.report([e.pk for e in establishments], month, last)
    return render(
        request,
        "usage/scope.html",
        {
            "title": title,
            "report": report,
            "rows": selectors.establishment_rows(establishments, month, last),
            "month": month,
            "export_url": export_url,
            "min_people": selectors.MIN_PEOPLE,
            **_neighbours(month),
            **_charts(report),
        },
    )


@login_required
@require_GET
def academy(request: HttpRequest, public_id: UUID) -> HttpResponse:
    region = policies.access_academy(request.actor, public_id)
    establishments = list(
        policies.visible_establishments(request.actor).filter(academy=region).order_by("name")
    )
    return _scope_page(
        request, establishments, region.name, reverse("usage:academy_csv", args=[region.public_id])
    )


@login_required
@require_GET
def academy_csv(request: HttpRequest, public_id: UUID) -> StreamingHttpResponse:
    region = policies.access_academy(request.actor, public_id)
    ids = list(
        policies.visible_establishments(request.actor)
        .filter(academy=region)
        .values_list("pk", flat=True)
    )
    month = _month(request, selectors.last_day())
    return _csv(selectors.monthly_rows(ids, month), f"usage-{region.code}-{month:%Y-%m}.csv")


@login_required
@require_GET
def national(request: HttpRequest) -> HttpResponse:
    policies.require_national(request.actor)
    establishments = list(Establishment.objects.select_related("academy").order_by("name"))
    return _scope_page(
        request, establishments, _("Toutes les académies"), reverse("usage:national_csv")
    )


@login_required
@require_GET
def national_csv(request: HttpRequest) -> StreamingHttpResponse:
    policies.require_national(request.actor)
    month = _month(request, selectors.last_day())
    ids = list(Establishment.objects.values_list("pk", flat=True))
    return _csv(selectors.monthly_rows(ids, month), f"usage-national-{month:%Y-%m}.csv")
