"""Changes made around LTI tools: registering and disabling tools, placing them in classes,
taking the content a teacher picked in a tool (deep linking), and the line items and scores a
tool sends (Assignment and Grade Services), which become a ``grades`` assessment and its marks.
"""

from __future__ import annotations

import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.audit.actions import snapshot
from preau.core import registrations
from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor
from preau.lti import keys, policies, protocol
from preau.lti.models import LtiPlacement, LtiTool

if TYPE_CHECKING:
    from preau.directory.models import Academy, Establishment, TeachingAssignment

AUDITED_FIELDS = [
    "name",
    "login_url",
    "launch_url",
    "redirect_uris",
    "deep_linking_url",
    "jwks_url",
    "share_name",
    "share_email",
    "nrps_enabled",
    "ags_enabled",
    "is_active",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_ITEMS = 20


def _check_url(url: str, field: str, *, required: bool = True) -> None:
    if not url:
        if required:
            raise ValidationError({field: _("Cette adresse est obligatoire.")})
        return
    parts = urlsplit(url)
    secure = parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    )
    if not parts.hostname or parts.fragment or not secure:
        raise ValidationError(
            {field: _("Adresse invalide : %(url)s (adresse complète en https://).") % {"url": url}}
        )


def _check_key(public_key: str, jwks_url: str) -> None:
    if bool(public_key.strip()) == bool(jwks_url.strip()):
        raise ValidationError(
            {
                "public_key": _(
                    "Donnez soit la clé publique de l'outil, soit l'adresse de son jeu de clés."
                )
            }
        )
    if public_key.strip():
        from jwcrypto import jwk
        from jwcrypto.common import JWException

        try:
            key = jwk.JWK.from_pem(public_key.strip().encode())
        except (JWException, ValueError, TypeError) as error:
            raise ValidationError(
                {"public_key": _("Clé publique illisible (format PEM attendu).")}
            ) from error
        if key.has_private:
            raise ValidationError(
                {"public_key": _("C'est une clé privée : donnez seulement la clé publique.")}
            )
    else:
        _check_url(jwks_url.strip(), "jwks_url")


def _clean_uris(uris: list[str] | str) -> list[str]:
    if isinstance(uris, str):
        uris = uris.split()
    return [uri.strip() for uri in uris if uri.strip()]


@transaction.atomic
def do_register_tool(
    *,
    actor: Any,
    name: str,
    login_url: str,
    launch_url: str,
    redirect_uris: list[str] | str = (),
    deep_linking_url: str = "",
    public_key: str = "",
    jwks_url: str = "",
    share_name: bool = True,
    share_email: bool = False,
    nrps_enabled: bool = False,
    ags_enabled: bool = False,
    establishment: Establishment | None = None,
    academy: Academy | None = None,
) -> LtiTool:
    """Register a tool for an establishment or an academy, with a new client id and deployment
    id; raises ValidationError on a bad address or key, writing nothing."""
    if not name.strip():
        raise ValidationError({"name": _("Le nom est obligatoire.")})
    if (establishment is None) == (academy is None):
        raise ValidationError(_("Un outil appartient à un établissement ou à une académie."))
    redirects = _clean_uris(redirect_uris)
    _check_url(login_url, "login_url")
    _check_url(launch_url, "launch_url")
    _check_url(deep_linking_url, "deep_linking_url", required=False)
    for uri in redirects:
        _check_url(uri, "redirect_uris")
    _check_key(public_key, jwks_url)
    # The launch and deep linking addresses are always acceptable places to return to.
    for uri in (launch_url, deep_linking_url):
        if uri and uri not in redirects:
            redirects.append(uri)
    tool = LtiTool.objects.create(
        name=name.strip(),
        establishment=establishment,
        academy=academy,
        client_id=secrets.token_urlsafe(18),
        deployment_id=secrets.token_hex(8),
        login_url=login_url,
        launch_url=launch_url,
        redirect_uris=redirects,
        deep_linking_url=deep_linking_url,
        public_key=public_key.strip(),
        jwks_url=jwks_url.strip(),
        share_name=share_name,
        share_email=share_email,
        nrps_enabled=nrps_enabled,
        ags_enabled=ags_enabled,
    )
    registrations.audit(
        actor=actor,
        registration=tool,
        action="lti.tool_registered",
        after=snapshot(tool, AUDITED_FIELDS),
    )
    return tool


@transaction.atomic
def do_set_tool_active(*, actor: Any, tool: LtiTool, active: bool) -> LtiTool:
    """Disable a tool (its placements stay but can no longer be launched nor reached by the
    tool's services) or enable it again."""
    before = snapshot(tool, AUDITED_FIELDS)
    tool.is_active = active
    tool.save(update_fields=["is_active"])
    registrations.audit(
        actor=actor,
        registration=tool,
        action="lti.tool_enabled" if active else "lti.tool_disabled",
        before=before,
        after=snapshot(tool, AUDITED_FIELDS),
    )
    return tool


@transaction.atomic
def do_replace_tool_key(*, actor: Any, tool: LtiTool, public_key: str) -> LtiTool:
    """The tool's new public key (a tool that rotated its key pair); the key set address, if
    any, is dropped: a tool has one or the other."""
    _check_key(public_key, "")
    before = snapshot(tool, AUDITED_FIELDS)
    tool.public_key, tool.jwks_url = public_key.strip(), ""
    tool.save(update_fields=["public_key", "jwks_url"])
    registrations.audit(
        actor=actor,
        registration=tool,
        action="lti.tool_key_replaced",
        before=before,
        after=snapshot(tool, AUDITED_FIELDS),
    )
    return tool


# -- placements ---------------------------------------------------------------------------------


def _check_placement_fields(title: str, url: str, custom: Any) -> None:
    if not title.strip():
        raise ValidationError({"title": _("Donnez un titre.")})
    _check_url(url, "url", required=False)
    if not isinstance(custom, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in custom.items()
    ):
        raise ValidationError({"custom": _("Paramètres personnalisés invalides.")})


@transaction.atomic
def do_place_tool(
    *,
    actor: Actor,
    tool: LtiTool,
    assignment: TeachingAssignment,
    title: str,
    url: str = "",
    custom: dict[str, str] | None = None,
) -> LtiPlacement:
    """A teacher adds a tool to a class or group they teach."""
    custom = custom or {}
    if not any(a.pk == assignment.pk for a in policies.own_assignments(actor)):
        raise ValidationError(_("Vous n'enseignez pas à cette classe ou à ce groupe."))
    if not tool.is_active or not policies.usable_tools(actor).filter(pk=tool.pk).exists():
        raise ValidationError(_("Cet outil n'est pas disponible dans votre établissement."))
    _check_placement_fields(title, url, custom)
    return LtiPlacement.objects.create(
        tool=tool,
        establishment=assignment.establishment,
        assignment=assignment,
        title=title.strip()[:200],
        url=url,
        custom=custom,
        created_by=actor.user,
    )


@transaction.atomic
def do_remove_placement(*, actor: Actor, placement: LtiPlacement) -> None:
    if not policies.can_manage_placement(actor, placement):
        raise ValidationError(_("Seul le professeur de la classe retire cet outil."))
    placement.delete()


# -- deep linking ---------------------------------------------------------------------------------


class DeepLinkingRefused(Exception):
    """A deep linking response that cannot be trusted; the message is for the teacher."""


def _teacher_actor(person: Any, establishment: Establishment) -> Actor:
    return Actor(person, {SESSION_ESTABLISHMENT_KEY: str(establishment.public_id)})


@transaction.atomic
def do_accept_deep_linking(*, token: str) -> tuple[TeachingAssignment, list[LtiPlacement]]:
    """Turn a tool's deep linking response into placements of the teaching assignment it was
    asked for. The response must be signed by the tool, meant for Préau, not expired, of the
    tool's deployment, and carry back the ``data`` Préau gave (used once)."""
    from django.contrib.auth import get_user_model

    from preau.directory.models import TeachingAssignment

    refused = DeepLinkingRefused(
        _(
            "La réponse de l'outil n'a pas pu être vérifiée (signature, date ou origine) : "
            "aucun contenu n'a été ajouté. Recommencez depuis Préau."
        )
    )
    try:
        claimed = keys.unverified_claims(token)
    except keys.InvalidToolToken as error:
        raise refused from error
    tool = LtiTool.objects.filter(client_id=str(claimed.get("iss", "")), is_active=True).first()
    if tool is None:
        raise refused
    try:
        claims = keys.verify_tool_token(tool, token, audiences=[protocol.issuer()])
    except keys.InvalidToolToken as error:
        raise refused from error
    if (
        claims.get(protocol.LTI + "message_type") != "LtiDeepLinkingResponse"
        or claims.get(protocol.LTI + "deployment_id") != tool.deployment_id
        or not claims.get("nonce")
    ):
        raise refused
    data = protocol.read_deep_linking_data(claims.get(protocol.DL + "data"))
    if data is None or not cache.add(f"lti:dl:{data['n']}", 1, protocol.DEEP_LINKING_SECONDS):
        raise refused
    teacher = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    assignment = (
        TeachingAssignment.objects.select_related("establishment", "school_class", "group")
        .filter(pk=data["a"])
        .first()
    )
    if teacher is None or assignment is None:
        raise refused
    actor = _teacher_actor(teacher, assignment.establishment)
    items = claims.get(protocol.DL + "content_items") or []
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise refused
    placements = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
            continue
        custom = item.get("custom") or {}
        try:
            placement = do_place_tool(
                actor=actor,
                tool=tool,
                assignment=assignment,
                title=str(item.get("title") or tool.name),
                url=str(item.get("url") or ""),
                custom={str(k): str(v) for k, v in custom.items()}
                if isinstance(custom, dict)
                else custom,
            )
        except ValidationError as error:
            raise DeepLinkingRefused(" ".join(error.messages)) from error
        line_item = item.get("lineItem")
        if isinstance(line_item, dict) and tool.ags_enabled:
            try:
                do_create_line_item(placement=placement, data=line_item)
            except ValidationError as error:
                raise DeepLinkingRefused(" ".join(error.messages)) from error
        placements.append(placement)
    return assignment, placements


# -- assignment and grade services -----------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@transaction.atomic
def do_create_line_item(*, placement: LtiPlacement, data: dict[str, Any]) -> LtiPlacement:
    """The placement's line item: a graded assessment of the class and subject, by the teacher
    who placed the tool, dated today, on the tool's scoreMaximum. One per placement."""
    from preau.grades.actions import AssessmentInput, do_create_assessment

    if placement.assessment_id is not None:
        raise ValidationError(_("Cet outil a déjà une colonne de notes dans cette classe."))
    maximum = _decimal(data.get("scoreMaximum"))
    if maximum is None or maximum <= 0:
        raise ValidationError(_("scoreMaximum doit être un nombre positif."))
    label = str(data.get("label") or placement.title).strip()[:120]
    assignment = placement.assignment
    actor = _teacher_actor(assignment.teacher, placement.establishment)
    assessment = do_create_assessment(
        actor=actor,
        subject=assignment.subject,
        data=AssessmentInput(title=label, date=timezone.localdate(), scale=maximum),
        school_class=assignment.school_class,
        group=assignment.group,
    )
    placement.assessment = assessment
    placement.line_item_tag = str(data.get("tag") or "")[:120]
    placement.line_item_resource_id = str(data.get("resourceId") or "")[:120]
    placement.save(update_fields=["assessment", "line_item_tag", "line_item_resource_id"])
    return placement


def do_record_score(*, placement: LtiPlacement, score: dict[str, Any]) -> None:
    """Record a tool's score as the student's mark, scaled to the assessment's scale. A score
    for someone outside the class or group, or above the maximum, is refused: nothing written.
    A score still pending (``gradingProgress`` not FullyGraded) is acknowledged, not written."""
    from preau.grades.actions import record_marks

    assessment = placement.assessment
    if assessment is None:
        raise ValidationError(_("Cet outil n'a pas de colonne de notes."))
    tool = placement.tool
    user_id = str(score.get("userId") or "")
    student = next(
        (s for s in policies.roster_students(placement) if protocol.subject(tool, s) == user_id),
        None,
    )
    if student is None:
        raise ValidationError(_("Cet élève n'est pas dans la classe ou le groupe."))
    if score.get("gradingProgress") != "FullyGraded":
        return
    given = score.get("scoreGiven")
    if given is None:
        text = ""
    else:
        value, maximum = _decimal(given), _decimal(score.get("scoreMaximum"))
        if value is None or maximum is None or maximum <= 0 or value < 0 or value > maximum:
            raise ValidationError(_("Note invalide : scoreGiven entre 0 et scoreMaximum."))
        mark = (value * assessment.scale / maximum).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        text = str(mark)
    actor = _teacher_actor(assessment.teacher, placement.establishment)
    record_marks(actor, assessment, {str(student.public_id): text})
