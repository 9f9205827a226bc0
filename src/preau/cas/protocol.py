"""The CAS protocol's answers, built as XML trees (escaped by ElementTree, never by hand).

Version 1 (/validate) answers in plain text; versions 2 and 3 answer with a
``cas:serviceResponse`` document. Attributes go in ``cas:attributes`` on every XML validation
(the 3.0 specification adds them to /serviceValidate as well as /p3/serviceValidate).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from preau.cas.models import ServiceTicket

CAS_NS = "http://www.yale.edu/tp/cas"
SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
ET.register_namespace("cas", CAS_NS)
ET.register_namespace("samlp", SAMLP_NS)
ET.register_namespace("saml", SAML_NS)


def _cas(name: str) -> str:
    return f"{{{CAS_NS}}}{name}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml_response(root: ET.Element) -> HttpResponse:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def validation_success(
    ticket: ServiceTicket,
    attributes: Iterable[tuple[str, str]],
    *,
    pgt_iou: str | None = None,
) -> HttpResponse:
    root = ET.Element(_cas("serviceResponse"))
    success = ET.SubElement(root, _cas("authenticationSuccess"))
    ET.SubElement(success, _cas("user")).text = ticket.user.username
    released = ET.SubElement(success, _cas("attributes"))
    ET.SubElement(released, _cas("authenticationDate")).text = _iso(ticket.authenticated_at)
    ET.SubElement(released, _cas("longTermAuthenticationRequestTokenUsed")).text = "false"
    ET.SubElement(released, _cas("isFromNewLogin")).text = (
        "true" if ticket.from_new_login else "false"
    )
    for name, value in attributes:
        ET.SubElement(released, _cas(name)).text = value
    if pgt_iou:
        ET.SubElement(success, _cas("proxyGrantingTicket")).text = pgt_iou
    if ticket.proxies:
        proxies = ET.SubElement(success, _cas("proxies"))
        for proxy in ticket.proxies:
            ET.SubElement(proxies, _cas("proxy")).text = proxy
    return _xml_response(root)


def validation_failure(code: str, message: str) -> HttpResponse:
    root = ET.Element(_cas("serviceResponse"))
    failure = ET.SubElement(root, _cas("authenticationFailure"), {"code": code})
    failure.text = message
    return _xml_response(root)


def proxy_success(ticket: str) -> HttpResponse:
    root = ET.Element(_cas("serviceResponse"))
    success = ET.SubElement(root, _cas("proxySuccess"))
    ET.SubElement(success, _cas("proxyTicket")).text = ticket
    return _xml_response(root)


def proxy_failure(code: str, message: str) -> HttpResponse:
    root = ET.Element(_cas("serviceResponse"))
    ET.SubElement(root, _cas("proxyFailure"), {"code": code}).text = message
    return _xml_response(root)


def v1_answer(username: str | None) -> HttpResponse:
    text = f"yes\n{username}\n" if username else "no\n\n"
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def logout_request(*, username: str, ticket: str) -> bytes:
    """The SAML 2 LogoutRequest a service receives when its user logs out of Préau."""
    root = ET.Element(
        f"{{{SAMLP_NS}}}LogoutRequest",
        {
            "ID": f"LR-{secrets.token_hex(16)}",
            "Version": "2.0",
            "IssueInstant": _iso(timezone.now()),
        },
    )
    ET.SubElement(root, f"{{{SAML_NS}}}NameID").text = username
    ET.SubElement(root, f"{{{SAMLP_NS}}}SessionIndex").text = ticket
    return ET.tostring(root, encoding="utf-8")
