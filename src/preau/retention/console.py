"""The retention page of the administration console (under /manage/: second factor)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from preau.directory.policies import access_administered_establishment, holds_head_rights
from preau.retention import actions
from preau.retention.forms import RetentionForm
from preau.retention.models import ACCOUNT_DAYS, CONNECTION_LOG_DAYS


@login_required
def settings_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    establishment = access_administered_establishment(request.actor, public_id)
    if not holds_head_rights(request.actor, establishment):
        raise Http404
    form = RetentionForm(request.POST or None, initial=actions.retention_periods(establishment))
    if request.method == "POST" and form.is_valid():
        actions.do_update_retention(
            actor=request.actor, establishment=establishment, changes=form.cleaned_data
        )
        messages.success(request, _("Les durées de conservation sont enregistrées."))
        return redirect("administration:retention", establishment.public_id)
    return render(
        request,
        "retention/settings.html",
        {
            "establishment": establishment,
            "form": form,
            "account_days": ACCOUNT_DAYS,
            "connection_log_days": CONNECTION_LOG_DAYS,
        },
        status=400 if form.is_bound else 200,
    )
