"""Supervision: for academy and national administrators, each establishment in their scope
with the portal services it has turned on and the interoperability it has configured (CAS
services, OpenID Connect clients, LTI tools, its own and its academy's) and whether the national
directory feed reaches it (with the academy's last successful import). Under /manage/: second
factor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from preau.cas.models import CasService
from preau.directory import policies as console
from preau.directory.models import Establishment
from preau.feeds.models import FeedImport, StructureLink
from preau.lti.models import LtiTool
from preau.oidc.models import OidcClient
from preau.portal.models import EstablishmentService
from preau.portal.registry import Service, all_services


@dataclass
class Row:
    establishment: Establishment
    services_on: list[Service]
    services_off: list[Service]
    cas_own: int
    cas_academy: int
    oidc_own: int
    oidc_academy: int
    lti_own: int
    lti_academy: int
    fed: bool
    last_feed_import: datetime | None


def _services(choices: dict[str, bool]) -> tuple[list[Service], list[Service]]:
    """On and off, as the portal decides: a service without a row is on."""
    on, off = [], []
    for service in sorted(all_services(), key=lambda s: (s.position, s.code)):
        enabled = choices.get(service.code, True) or not service.can_be_disabled
        (on if enabled else off).append(service)
    return on, off


def supervision_rows(establishments: QuerySet[Establishment]) -> list[Row]:
    """One row per establishment in six queries, whatever their number."""
    # 1. The establishments, with their own CAS services and OpenID Connect clients counted, and
    #    whether the directory feed carries them.
    schools = list(
        establishments.select_related("academy")
        .annotate(
            cas_own=Count("cas_services", distinct=True),
            oidc_own=Count("oidc_clients", distinct=True),
            lti_own=Count("lti_tools", filter=Q(lti_tools__is_active=True), distinct=True),
            fed=Exists(StructureLink.objects.filter(establishment=OuterRef("pk"))),
        )
        .order_by("academy__name", "name")
    )
    academy_ids = {school.academy_id for school in schools}
    # 2., 3. and 4. What each academy offers to all its establishments.
    cas_academy = dict(
        CasService.objects.filter(academy_id__in=academy_ids)
        .values_list("academy_id")
        .annotate(n=Count("pk"))
    )
    oidc_academy = dict(
        OidcClient.objects.filter(academy_id__in=academy_ids)
        .values_list("academy_id")
        .annotate(n=Count("pk"))
    )
    lti_academy = dict(
        LtiTool.objects.filter(academy_id__in=academy_ids, is_active=True)
        .values_list("academy_id")
        .annotate(n=Count("pk"))
    )
    # 5. Each academy's last successful feed import (dry runs and refused files do not count).
    last_imports = dict(
        FeedImport.objects.filter(
            academy_id__in=academy_ids, dry_run=False, error="", finished_at__isnull=False
        )
        .values_list("academy_id")
        .annotate(last=Max("finished_at"))
    )
    # 6. Every establishment's choice of services.
    choices: dict[int, dict[str, bool]] = defaultdict(dict)
    for establishment_id, code, enabled in EstablishmentService.objects.filter(
        establishment__in=[school.pk for school in schools]
    ).values_list("establishment_id", "service_code", "enabled"):
        choices[establishment_id][code] = enabled
    rows = []
    for school in schools:
        on, off = _services(choices[school.pk])
        rows.append(
            Row(
                establishment=school,
                services_on=on,
                services_off=off,
                cas_own=school.cas_own,
                cas_academy=cas_academy.get(school.academy_id, 0),
                oidc_own=school.oidc_own,
                oidc_academy=oidc_academy.get(school.academy_id, 0),
                lti_own=school.lti_own,
                lti_academy=lti_academy.get(school.academy_id, 0),
                fed=school.fed,
                last_feed_import=last_imports.get(school.academy_id) if school.fed else None,
            )
        )
    return rows


def _scope(request: HttpRequest) -> Any:
    if not console.managed_academies(request.actor).exists():
        raise Http404
    return console.academy_establishments(request.actor)


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    rows = supervision_rows(_scope(request))
    return render(
        request,
        "administration/supervision.html",
        {"rows": rows, "service_count": len(all_services())},
    )


@login_required
def supervision_establishment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = console.access_academy_establishment(request.actor, public_id)
    (row,) = supervision_rows(Establishment.objects.filter(pk=school.pk))
    return render(
        request,
        "administration/supervision_establishment.html",
        {
            "row": row,
            "establishment": school,
            "cas_services": CasService.objects.filter(establishment=school).order_by("name"),
            "academy_cas_services": CasService.objects.filter(
                academy_id=school.academy_id
            ).order_by("name"),
            "oidc_clients": OidcClient.objects.filter(establishment=school)
            .select_related("application")
            .order_by("application__name"),
            "academy_oidc_clients": OidcClient.objects.filter(academy_id=school.academy_id)
            .select_related("application")
            .order_by("application__name"),
            "lti_tools": LtiTool.objects.filter(establishment=school, is_active=True).order_by(
                "name"
            ),
            "academy_lti_tools": LtiTool.objects.filter(
                academy_id=school.academy_id, is_active=True
            ).order_by("name"),
        },
    )
