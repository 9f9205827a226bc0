"""The LTI 1.3 messages Préau sends and the hints and tokens it hands out.

Hints are signed by Préau (django.core.signing) so that nothing a tool or a browser sends back
can name another person, class or placement:
- ``login_hint``: ties the login to the person who clicked (a keyed hash, not their id);
- ``lti_message_hint``: what is launched (a placement, or deep linking in a teaching assignment),
  for whom, valid a few minutes;
- the deep linking ``data``: the teaching assignment the content goes to, the teacher, and a
  random id used once.
Access tokens of the services are signed the same way: the tool, its scopes, an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from preau.lti.models import LtiPlacement, LtiTool

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_SCOPES = [SCOPE_LINEITEM, SCOPE_LINEITEM_READ, SCOPE_SCORE]

ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_FACULTY = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"
ROLE_STUDENT = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
CONTEXT_TYPE = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"

MESSAGE_HINT_SECONDS = 600
ID_TOKEN_SECONDS = 300
DEEP_LINKING_SECONDS = 3600
ACCESS_TOKEN_SECONDS = 3600

MESSAGE_SALT = "preau.lti.message"
DATA_SALT = "preau.lti.deep_linking"
TOKEN_SALT = "preau.lti.access_token"  # noqa: S105 - a signing namespace, not a secret

LAUNCH = "launch"
DEEP_LINKING = "deep_linking"


def issuer() -> str:
    return settings.PORTAL_URL.rstrip("/")


def absolute(route: str, *args: Any) -> str:
    return issuer() + reverse(route, args=args)


def subject(tool: LtiTool, person: Any) -> str:
    """The person's id for this tool: stable, and different for each tool (pairwise)."""
    return str(uuid.uuid5(tool.public_id, str(person.public_id)))


def login_hint(person: Any) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"lti-login:{person.public_id}".encode(), hashlib.sha256).hexdigest()


def message_hint(kind: str, person: Any, tool: LtiTool, target: Any) -> str:
    return signing.dumps(
        {"k": kind, "u": person.pk, "t": tool.pk, "x": str(target.public_id)}, salt=MESSAGE_SALT
    )


def read_message_hint(value: str) -> dict[str, Any] | None:
    try:
        return signing.loads(value, salt=MESSAGE_SALT, max_age=MESSAGE_HINT_SECONDS)
    except signing.BadSignature:
        return None


def login_initiation(kind: str, person: Any, tool: LtiTool, target: Any) -> dict[str, str]:
    """The parameters of the third-party initiated login sent to the tool's login address."""
    if kind == DEEP_LINKING:
        target_link_uri = tool.deep_linking_url or tool.launch_url
    else:
        target_link_uri = target.target_link_uri
    return {
        "iss": issuer(),
        "login_hint": login_hint(person),
        "target_link_uri": target_link_uri,
        "lti_message_hint": message_hint(kind, person, tool, target),
        "client_id": tool.client_id,
        "lti_deployment_id": tool.deployment_id,
    }


def _person_claims(tool: LtiTool, person: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    if tool.share_name:
        claims.update(
            name=f"{person.first_name} {person.last_name}".strip(),
            given_name=person.first_name,
            family_name=person.last_name,
        )
    if tool.share_email and person.email:
        claims["email"] = person.email
    return claims


def roles(instructor: bool) -> list[str]:
    return [ROLE_INSTRUCTOR, ROLE_FACULTY] if instructor else [ROLE_LEARNER, ROLE_STUDENT]


def context_claim(assignment: Any) -> dict[str, Any]:
    taught = assignment.school_class or assignment.group
    return {
        "id": str(taught.public_id),
        "label": taught.name,
        "title": f"{taught.name} · {assignment.subject.label}",
        "type": [CONTEXT_TYPE],
    }


def _common(tool: LtiTool, person: Any, nonce: str, instructor: bool) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": issuer(),
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": subject(tool, person),
        "iat": now,
        "exp": now + ID_TOKEN_SECONDS,
        "nonce": nonce,
        LTI + "version": "1.3.0",
        LTI + "deployment_id": tool.deployment_id,
        LTI + "roles": roles(instructor),
        LTI + "tool_platform": {
            "guid": issuer(),
            "name": "Préau",
            "product_family_code": "preau",
        },
        LTI + "launch_presentation": {"document_target": "window", "locale": "fr-FR"},
        **_person_claims(tool, person),
    }


def resource_link_claims(
    placement: LtiPlacement, person: Any, nonce: str, *, instructor: bool
) -> dict[str, Any]:
    tool = placement.tool
    claims = _common(tool, person, nonce, instructor)
    claims.update(
        {
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "target_link_uri": placement.target_link_uri,
            LTI + "resource_link": {"id": str(placement.public_id), "title": placement.title},
            LTI + "context": context_claim(placement.assignment),
            LTI + "custom": placement.custom or {},
        }
    )
    if tool.nrps_enabled:
        claims[NRPS_CLAIM] = {
            "context_memberships_url": absolute("lti:memberships", placement.public_id),
            "service_versions": ["2.0"],
        }
    if tool.ags_enabled:
        endpoint: dict[str, Any] = {
            "scope": AGS_SCOPES,
            "lineitems": absolute("lti:line_items", placement.public_id),
        }
        if placement.assessment_id is not None:
            endpoint["lineitem"] = absolute("lti:line_item", placement.public_id)
        claims[AGS_CLAIM] = endpoint
    return claims


def deep_linking_data(assignment: Any, person: Any) -> str:
    return signing.dumps(
        {"a": assignment.pk, "u": person.pk, "n": uuid.uuid4().hex}, salt=DATA_SALT
    )


def read_deep_linking_data(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, str):
        return None
    try:
        return signing.loads(value, salt=DATA_SALT, max_age=DEEP_LINKING_SECONDS)
    except signing.BadSignature:
        return None


def deep_linking_claims(tool: LtiTool, assignment: Any, person: Any, nonce: str) -> dict[str, Any]:
    claims = _common(tool, person, nonce, instructor=True)
    claims.update(
        {
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "target_link_uri": tool.deep_linking_url or tool.launch_url,
            LTI + "context": context_claim(assignment),
            DL + "deep_linking_settings": {
                "deep_link_return_url": absolute("lti:deep_linking_return"),
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["window", "iframe"],
                "accept_multiple": True,
                "auto_create": True,
                "data": deep_linking_data(assignment, person),
            },
        }
    )
    return claims


def allowed_scopes(tool: LtiTool) -> list[str]:
    scopes = []
    if tool.nrps_enabled:
        scopes.append(SCOPE_NRPS)
    if tool.ags_enabled:
        scopes.extend(AGS_SCOPES)
    return scopes


def access_token(tool: LtiTool, scopes: list[str]) -> str:
    return signing.dumps({"t": tool.pk, "s": scopes}, salt=TOKEN_SALT)


def read_access_token(value: str) -> dict[str, Any] | None:
    try:
        return signing.loads(value, salt=TOKEN_SALT, max_age=ACCESS_TOKEN_SECONDS)
    except signing.BadSignature:
        return None
