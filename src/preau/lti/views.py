"""The LTI pages and endpoints.

Pages (logged-in people): the tools of one's classes, placing a tool, launching one, choosing
content in a tool. Protocol endpoints: the OIDC authorization endpoint the tools redirect to,
the deep linking return, the platform's key set, the OAuth 2 token endpoint, and the roster
(NRPS) and grades (AGS) services the tools call with a bearer token.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from preau.lti import actions, keys, policies, protocol
from preau.lti.forms import PlacementForm
from preau.lti.models import LtiPlacement, LtiTool

# -- pages ----------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    placements = list(policies.visible_placements(actor))
    assignments = policies.own_assignments(actor)
    tools = list(policies.usable_tools(actor).order_by("name"))
    sections = [
        {
            "assignment": assignment,
            "placements": [p for p in placements if p.assignment_id == assignment.pk],
            "form": PlacementForm(tools=tools, prefix=str(assignment.public_id)),
        }
        for assignment in assignments
    ]
    taught = {a.pk for a in assignments}
    return render(
        request,
        "lti/home.html",
        {
            "sections": sections,
            "others": [p for p in placements if p.assignment_id not in taught],
            "linking_tools": [t for t in tools if t.deep_linking_url],
        },
    )


@login_required
@require_POST
def place(request: HttpRequest, assignment_id: UUID) -> HttpResponse:
    actor = request.actor
    assignment = policies.access_own_assignment(actor, assignment_id)
    tools = list(policies.usable_tools(actor))
    form = PlacementForm(request.POST, tools=tools, prefix=str(assignment.public_id))
    if form.is_valid():
        try:
            actions.do_place_tool(
                actor=actor,
                tool=form.cleaned_data["tool"],
                assignment=assignment,
                title=form.cleaned_data["title"] or form.cleaned_data["tool"].name,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("L'outil est ajouté à la classe."))
    else:
        messages.error(request, _("Choisissez un outil."))
    return redirect("lti:home")


@login_required
@require_POST
def remove(request: HttpRequest, placement_id: UUID) -> HttpResponse:
    placement = policies.access_placement(request.actor, placement_id)
    if not policies.can_manage_placement(request.actor, placement):
        raise Http404
    actions.do_remove_placement(actor=request.actor, placement=placement)
    messages.success(request, _("L'outil est retiré de la classe."))
    return redirect("lti:home")


def _initiate(tool: LtiTool, params: dict[str, str]) -> HttpResponse:
    """Third-party initiated login: the browser goes to the tool's login address."""
    separator = "&" if urlsplit(tool.login_url).query else "?"
    return HttpResponseRedirect(f"{tool.login_url}{separator}{urlencode(params)}")


@login_required
@require_GET
def launch(request: HttpRequest, placement_id: UUID) -> HttpResponse:
    placement = policies.access_placement(request.actor, placement_id)
    params = protocol.login_initiation(protocol.LAUNCH, request.user, placement.tool, placement)
    return _initiate(placement.tool, params)


@login_required
@require_GET
def deep_linking(request: HttpRequest, assignment_id: UUID, tool_id: UUID) -> HttpResponse:
    assignment = policies.access_own_assignment(request.actor, assignment_id)
    tool = policies.access_usable_tool(request.actor, tool_id)
    if not tool.deep_linking_url:
        raise Http404
    params = protocol.login_initiation(protocol.DEEP_LINKING, request.user, tool, assignment)
    return _initiate(tool, params)


# -- the authorization endpoint -------------------------------------------------------------------


def _refused(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    return render(request, "lti/refused.html", {"reason": reason}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """The OIDC authentication request of an LTI launch: the tool sends the browser back here
    with the hints Préau gave; Préau answers with a signed id_token posted to the tool."""
    params = request.GET if request.method == "GET" else request.POST
    tool = LtiTool.objects.filter(client_id=params.get("client_id", ""), is_active=True).first()
    hint = protocol.read_message_hint(params.get("lti_message_hint", ""))
    generic = _("Ce lancement d'outil n'est pas valide ou a expiré. Recommencez depuis Préau.")
    if tool is None or hint is None or hint["t"] != tool.pk:
        return _refused(request, generic)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in tool.redirect_uris:
        return _refused(request, _("L'adresse de retour de l'outil n'est pas enregistrée."))
    if (
        params.get("response_type") != "id_token"
        or "openid" not in params.get("scope", "").split()
        or params.get("response_mode", "form_post") != "form_post"
        or not params.get("nonce")
    ):
        return _refused(request, generic)
    if hint["u"] != request.user.pk or params.get("login_hint") != protocol.login_hint(
        request.user
    ):
        return _refused(
            request,
            _("Ce lancement a été commencé par une autre personne que celle connectée."),
            status=403,
        )
    actor = request.actor
    nonce = params["nonce"]
    if hint["k"] == protocol.DEEP_LINKING:
        assignment = policies.access_own_assignment(actor, hint["x"])
        claims = protocol.deep_linking_claims(tool, assignment, request.user, nonce)
    else:
        placement = policies.access_placement(actor, hint["x"])
        if placement.tool_id != tool.pk:
            return _refused(request, generic)
        claims = protocol.resource_link_claims(
            placement,
            request.user,
            nonce,
            instructor=policies.role_in(actor, placement) == policies.INSTRUCTOR,
        )
    response = render(
        request,
        "lti/autopost.html",
        {
            "action": redirect_uri,
            "fields": {"id_token": keys.sign(claims), "state": params.get("state", "")},
            "tool": tool,
        },
    )
    target = urlsplit(redirect_uri)
    response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    response["Cache-Control"] = "no-store"
    return response


# -- deep linking return --------------------------------------------------------------------------


@csrf_exempt
@require_POST
def deep_linking_return(request: HttpRequest) -> HttpResponse:
    """The tool posts the content the teacher picked (a JWT it signed). The session cookie may
    not come with this cross-site post: who and where come from the signed ``data``."""
    try:
        assignment, placements = actions.do_accept_deep_linking(token=request.POST.get("JWT", ""))
    except actions.DeepLinkingRefused as error:
        return _refused(request, str(error))
    return render(
        request,
        "lti/deep_linking_done.html",
        {"assignment": assignment, "placements": placements},
    )


# -- keys and tokens ------------------------------------------------------------------------------


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(keys.public_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


def _oauth_error(error: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error}, status=status)


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """OAuth 2 client credentials with a JWT client assertion signed by the tool (RFC 7523)."""
    if request.POST.get("grant_type") != "client_credentials" or request.POST.get(
        "client_assertion_type"
    ) != ("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
        return _oauth_error("unsupported_grant_type")
    assertion = request.POST.get("client_assertion", "")
    try:
        claimed = keys.unverified_claims(assertion)
    except keys.InvalidToolToken:
        return _oauth_error("invalid_client", 401)
    tool = LtiTool.objects.filter(client_id=str(claimed.get("iss", "")), is_active=True).first()
    if tool is None:
        return _oauth_error("invalid_client", 401)
    try:
        claims = keys.verify_tool_token(
            tool,
            assertion,
            audiences=[protocol.absolute("lti:token"), protocol.issuer()],
        )
    except keys.InvalidToolToken:
        return _oauth_error("invalid_client", 401)
    jti = claims.get("jti")
    if claims.get("sub") != tool.client_id or not jti:
        return _oauth_error("invalid_client", 401)
    if not cache.add(f"lti:jti:{tool.pk}:{jti}", 1, protocol.ACCESS_TOKEN_SECONDS):
        return _oauth_error("invalid_grant")
    allowed = protocol.allowed_scopes(tool)
    granted = [s for s in request.POST.get("scope", "").split() if s in allowed]
    if not granted:
        return _oauth_error("invalid_scope")
    return JsonResponse(
        {
            "access_token": protocol.access_token(tool, granted),
            "token_type": "Bearer",
            "expires_in": protocol.ACCESS_TOKEN_SECONDS,
            "scope": " ".join(granted),
        }
    )


# -- services -------------------------------------------------------------------------------------


class ServiceRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _service_placement(request: HttpRequest, placement_id: UUID, scopes: set[str]) -> Any:
    """The placement a service call is about, if the bearer token is the placement's tool's and
    holds one of ``scopes``; ServiceRefused otherwise (401, or 404 for another tool's)."""
    header = request.headers.get("Authorization", "")
    granted = protocol.read_access_token(header[7:]) if header.startswith("Bearer ") else None
    if granted is None:
        raise ServiceRefused(401, "invalid_token")
    if not scopes & set(granted["s"]):
        raise ServiceRefused(403, "insufficient_scope")
    placement = (
        LtiPlacement.objects.select_related(
            "tool",
            "assessment__teacher",
            "assignment__school_class",
            "assignment__group",
            "assignment__subject",
            "assignment__teacher",
            "establishment",
        )
        .filter(public_id=placement_id, tool_id=granted["t"], tool__is_active=True)
        .first()
    )
    if placement is None:
        raise ServiceRefused(404, "not_found")
    return placement


def _json(data: Any, content_type: str, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data),
        content_type=content_type,
        status=status,
        headers={"Cache-Control": "no-store"},
    )


def _service(scopes: set[str]) -> Any:
    def decorate(view: Any) -> Any:
        @csrf_exempt
        def wrapped(request: HttpRequest, placement_id: UUID) -> HttpResponse:
            try:
                placement = _service_placement(request, placement_id, scopes)
                return view(request, placement)
            except ServiceRefused as error:
                return JsonResponse({"error": str(error)}, status=error.status)
            except ValidationError as error:
                return JsonResponse({"error": " ".join(error.messages)}, status=422)

        return wrapped

    return decorate


@require_GET
@_service({protocol.SCOPE_NRPS})
def memberships(request: HttpRequest, placement: LtiPlacement) -> HttpResponse:
    tool = placement.tool

    def member(person: Any, instructor: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": "Active",
            "user_id": protocol.subject(tool, person),
            "roles": protocol.roles(instructor),
        }
        if tool.share_name:
            data.update(
                name=f"{person.first_name} {person.last_name}".strip(),
                given_name=person.first_name,
                family_name=person.last_name,
            )
        if tool.share_email and person.email:
            data["email"] = person.email
        return data

    members = [member(t, True) for t in policies.roster_teachers(placement)]
    members += [member(s, False) for s in policies.roster_students(placement)]
    return _json(
        {
            "id": protocol.absolute("lti:memberships", placement.public_id),
            "context": protocol.context_claim(placement.assignment),
            "members": members,
        },
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
    )


LINE_ITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"


def _line_item(placement: LtiPlacement) -> dict[str, Any]:
    assessment = placement.assessment
    data = {
        "id": protocol.absolute("lti:line_item", placement.public_id),
        "scoreMaximum": float(assessment.scale),
        "label": assessment.title,
        "resourceLinkId": str(placement.public_id),
    }
    if placement.line_item_tag:
        data["tag"] = placement.line_item_tag
    if placement.line_item_resource_id:
        data["resourceId"] = placement.line_item_resource_id
    return data


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as error:
        raise ValidationError(_("Corps JSON illisible.")) from error
    if not isinstance(data, dict):
        raise ValidationError(_("Corps JSON illisible."))
    return data


@require_http_methods(["GET", "POST"])
@_service({protocol.SCOPE_LINEITEM, protocol.SCOPE_LINEITEM_READ})
def line_items(request: HttpRequest, placement: LtiPlacement) -> HttpResponse:
    if request.method == "POST":
        if protocol.SCOPE_LINEITEM not in _granted(request):
            raise ServiceRefused(403, "insufficient_scope")
        actions.do_create_line_item(placement=placement, data=_body(request))
        return _json(_line_item(placement), LINE_ITEM_TYPE, status=201)
    items = [_line_item(placement)] if placement.assessment_id is not None else []
    return _json(items, "application/vnd.ims.lis.v2.lineitemcontainer+json")


def _granted(request: HttpRequest) -> list[str]:
    granted = protocol.read_access_token(request.headers.get("Authorization", "")[7:])
    return granted["s"] if granted else []


@require_GET
@_service({protocol.SCOPE_LINEITEM, protocol.SCOPE_LINEITEM_READ})
def line_item(request: HttpRequest, placement: LtiPlacement) -> HttpResponse:
    if placement.assessment_id is None:
        raise ServiceRefused(404, "not_found")
    return _json(_line_item(placement), LINE_ITEM_TYPE)


@require_POST
@_service({protocol.SCOPE_SCORE})
def scores(request: HttpRequest, placement: LtiPlacement) -> HttpResponse:
    if request.content_type != "application/vnd.ims.lis.v1.score+json":
        raise ServiceRefused(415, "unsupported_media_type")
    if placement.assessment_id is None:
        raise ServiceRefused(404, "not_found")
    actions.do_record_score(placement=placement, score=_body(request))
    return HttpResponse(status=204)
