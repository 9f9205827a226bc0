"""The LTI tools in the administration console: an establishment's (its administrators) and an
academy's (the academy's administrators); second factor required as for every console page.
Views find the owner and the tool through the policies (404 otherwise), parse the form and call
the actions. A tool's page shows what to enter in the tool: the issuer, client id, deployment id
and Préau's addresses."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.administration.views import _establishment, _page
from preau.core.forms import add_validation_errors
from preau.directory import policies as directory_policies
from preau.lti import actions, policies, protocol
from preau.lti.forms import AcademyToolForm, ToolForm
from preau.lti.models import LtiTool

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


def _fields(form: ToolForm) -> dict:
    return {name: form.cleaned_data[name] for name in FIELDS}


def _platform(tool: LtiTool) -> dict[str, str]:
    """What the tool's administrator enters in the tool."""
    return {
        _("Émetteur (issuer)"): protocol.issuer(),
        _("Identifiant client"): tool.client_id,
        _("Identifiant de déploiement"): tool.deployment_id,
        _("Adresse d'authentification"): protocol.absolute("lti:authorize"),
        _("Adresse des jetons"): protocol.absolute("lti:token"),
        _("Jeu de clés de Préau"): protocol.absolute("lti:jwks"),
    }


def _set_active(request: HttpRequest, tool: LtiTool) -> None:
    active = request.POST.get("active") == "1"
    actions.do_set_tool_active(actor=request.actor, tool=tool, active=active)
    if active:
        messages.success(request, _("L'outil est de nouveau disponible."))
    else:
        messages.success(request, _("L'outil est désactivé : il ne s'ouvre plus."))


@login_required
def establishment_tools(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = ToolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tool = actions.do_register_tool(
                actor=request.actor, establishment=school, **_fields(form)
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
    return _page(
        request,
        "lti/console_tool.html",
        school,
        "lti",
        {"tool": tool, "platform": _platform(tool)},
    )


@login_required
@require_POST
def establishment_tool_active(request: HttpRequest, public_id: UUID, tool_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    tool = policies.access_establishment_tool(school, tool_id)
    _set_active(request, tool)
    return redirect("administration:lti_tool", school.public_id, tool.public_id)


# -- the academy's tools -------------------------------------------------------------------------


@login_required
def academy_tools(request: HttpRequest) -> HttpResponse:
    academies = directory_policies.managed_academies(request.actor)
    if not academies.exists():
        raise Http404
    form = AcademyToolForm(request.POST or None, academies=academies)
    if request.method == "POST" and form.is_valid():
        try:
            tool = actions.do_register_tool(
                actor=request.actor, academy=form.cleaned_data["academy"], **_fields(form)
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("L'outil est enregistré."))
            return redirect("administration:academy_lti_tool", tool.public_id)
    rows = policies.managed_academy_tools(request.actor).order_by("academy__name", "name")
    return render(request, "lti/academy_tools.html", {"form": form, "rows": rows})


@login_required
def academy_tool(request: HttpRequest, tool_id: UUID) -> HttpResponse:
    tool = policies.access_academy_tool(request.actor, tool_id)
    return render(request, "lti/academy_tool.html", {"tool": tool, "platform": _platform(tool)})


@login_required
@require_POST
def academy_tool_active(request: HttpRequest, tool_id: UUID) -> HttpResponse:
    tool = policies.access_academy_tool(request.actor, tool_id)
    _set_active(request, tool)
    return redirect("administration:academy_lti_tool", tool.public_id)
