"""The LTI tools in the administration console of an establishment (its administrators, second
factor required as for every console page). Views find the establishment and the tool through
the policies (404 otherwise), parse the form and call the actions. A tool's page shows what to
enter in the tool: the issuer, client id, deployment id and Préau's addresses."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.administration.views import _establishment, _page
from preau.core.forms import add_validation_errors
from preau.lti import actions, policies, protocol
from preau.lti.forms import ToolForm

FIELDS = (
    "name",
    "login_url",
    "launch_url",
    "redirect_uris",
    "deep_linking_url",
    "public_key",
    "jwks_url",
    "share_name",
    "share_email",
    "nrps_enabled",
    "ags_enabled",
)


@login_required
def establishment_tools(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = ToolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tool = actions.do_register_tool(
                actor=request.actor,
                establishment=school,
                **{name: form.cleaned_data[name] for name in FIELDS},
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("L'outil est enregistré."))
            return redirect("administration:lti_tool", school.public_id, tool.public_id)
    return _page(
        request,
        "lti/console_tools.html",
        school,
        "lti",
        {
            "form": form,
            "rows": policies.establishment_tools(school),
            "academy_rows": policies.academy_tools_for(school),
        },
    )


@login_required
def establishment_tool(request: HttpRequest, public_id: UUID, tool_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    tool = policies.access_establishment_tool(school, tool_id)
    platform = {
        _("Émetteur (issuer)"): protocol.issuer(),
        _("Identifiant client"): tool.client_id,
        _("Identifiant de déploiement"): tool.deployment_id,
        _("Adresse d'authentification"): protocol.absolute("lti:authorize"),
        _("Adresse des jetons"): protocol.absolute("lti:token"),
        _("Jeu de clés de Préau"): protocol.absolute("lti:jwks"),
    }
    return _page(
        request,
        "lti/console_tool.html",
        school,
        "lti",
        {"tool": tool, "platform": platform},
    )


@login_required
@require_POST
def establishment_tool_active(request: HttpRequest, public_id: UUID, tool_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    tool = policies.access_establishment_tool(school, tool_id)
    active = request.POST.get("active") == "1"
    actions.do_set_tool_active(actor=request.actor, tool=tool, active=active)
    if active:
        messages.success(request, _("L'outil est de nouveau disponible."))
    else:
        messages.success(request, _("L'outil est désactivé : il ne s'ouvre plus."))
    return redirect("administration:lti_tool", school.public_id, tool.public_id)
