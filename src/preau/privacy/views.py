from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from preau.privacy import actions, policies
from preau.privacy.archive import stream_export
from preau.privacy.forms import NoticeForm
from preau.privacy.models import PrivacyNotice


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """« Mes données »: the notices of the person's establishments and the export."""
    actor = request.actor
    return render(
        request,
        "privacy/index.html",
        {
            "establishments": policies.visible_establishments(actor),
            "can_export": policies.can_export(actor),
            "last_export_at": actions.last_export_at(actor.user),
        },
    )


@login_required
def notice(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The establishment's « Données personnelles » page: the national text and its own."""
    actor = request.actor
    establishment = policies.access_establishment(actor, public_id)
    return render(
        request,
        "privacy/notice.html",
        {
            "establishment": establishment,
            "notice": PrivacyNotice.objects.filter(establishment=establishment).first(),
            "can_edit": policies.can_edit_notice(actor, establishment),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_editable_establishment(actor, public_id)
    current = PrivacyNotice.objects.filter(establishment=establishment).first()
    form = NoticeForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        actions.do_update_notice(
            actor=actor, establishment=establishment, changes=form.cleaned_data
        )
        messages.success(request, _("La page « Données personnelles » est enregistrée."))
        return redirect("privacy:notice", public_id=establishment.public_id)
    return render(
        request, "privacy/edit.html", {"establishment": establishment, "form": form}, status=200
    )


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """The person's data as a ZIP, streamed while it is written (see docs/privacy.md)."""
    actor = request.actor
    if not policies.can_export(actor):
        raise Http404
    try:
        actions.do_start_export(actor=actor)
    except actions.ExportTooSoon as refused:
        context: dict[str, Any] = {
            "establishments": policies.visible_establishments(actor),
            "can_export": True,
            "last_export_at": actions.last_export_at(actor.user),
            "refused": refused,
        }
        return render(request, "privacy/index.html", context, status=429)
    response = StreamingHttpResponse(stream_export(actor.user), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{stamp}.zip"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
