"""Préau as a SAML 2 service provider, through pysaml2 (imported here only, and only when a SAML
provider is used: a portal without one needs neither pysaml2's signing binary nor its import).

pysaml2 checks what a response must satisfy: the signature of the response or of its
assertion against the provider's metadata (one of them is required), the audience (our entity
id), the recipient and destination (our ACS), the validity window of the assertion, and that
it answers a request we sent (InResponseTo, no unsolicited response).
"""

from __future__ import annotations

import base64
import binascii
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from django.http import HttpRequest
from django.urls import reverse

from preau.federation.models import IdentityProvider

# Clock drift tolerated between the provider and the portal, in seconds.
ACCEPTED_TIME_DIFF = 60
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"


class SamlRefused(Exception):
    """A response that does not prove a login (bad signature, expired, not for us…)."""


def entity_id(request: HttpRequest, provider: IdentityProvider) -> str:
    """Our entity id for this provider: the address of our metadata."""
    return request.build_absolute_uri(
        reverse("federation:saml_metadata", args=[provider.public_id])
    )


def acs_url(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse("federation:saml_acs", args=[provider.public_id]))


def provider_entity_id(metadata: str) -> str:
    """The entityID of the identity provider described by ``metadata``; ValueError if the
    document is not the metadata of a SAML identity provider."""
    try:
        root = ElementTree.fromstring(metadata.encode())
    except ElementTree.ParseError as error:
        raise ValueError(str(error)) from error
    descriptors = [root] if root.tag == f"{{{MD}}}EntityDescriptor" else []
    descriptors += root.findall(f".//{{{MD}}}EntityDescriptor")
    for descriptor in descriptors:
        if descriptor.find(f"{{{MD}}}IDPSSODescriptor") is not None and descriptor.get("entityID"):
            return descriptor.get("entityID")
    raise ValueError("no IDPSSODescriptor")


@contextmanager
def _client(request: HttpRequest, provider: IdentityProvider) -> Iterator[Any]:
    """A pysaml2 client configured for ``provider``. pysaml2 and its signing binary read the
    key pair from files: they exist in a private directory for the duration of the call."""
    from saml2 import BINDING_HTTP_POST
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    with tempfile.TemporaryDirectory(prefix="preau-saml-") as folder:
        key_file, cert_file = Path(folder, "sp.key"), Path(folder, "sp.crt")
        key_file.touch(mode=0o600)
        key_file.write_text(provider.sp_private_key)
        cert_file.write_text(provider.sp_certificate)
        config = SPConfig()
        config.load(
            {
                "entityid": entity_id(request, provider),
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "encryption_keypairs": [{"key_file": str(key_file), "cert_file": str(cert_file)}],
                "metadata": {"inline": [provider.saml_metadata]},
                "accepted_time_diff": ACCEPTED_TIME_DIFF,
                "allow_unknown_attributes": True,
                "service": {
                    "sp": {
                        "name": provider.name,
                        "endpoints": {
                            "assertion_consumer_service": [
                                (acs_url(request, provider), BINDING_HTTP_POST)
                            ]
                        },
                        "allow_unsolicited": False,
                        "authn_requests_signed": True,
                        "want_response_signed": False,
                        "want_assertions_signed": False,
                        "want_assertions_or_response_signed": True,
                    }
                },
            }
        )
        yield Saml2Client(config)


def metadata_xml(request: HttpRequest, provider: IdentityProvider) -> str:
    """Our metadata for ``provider``: entity id, ACS and certificate, for its administrators."""
    from saml2.metadata import entity_descriptor

    with _client(request, provider) as client:
        return str(entity_descriptor(client.config))


@dataclass(frozen=True)
class AuthnRequest:
    request_id: str
    location: str


def authn_request(
    request: HttpRequest, provider: IdentityProvider, relay_state: str
) -> AuthnRequest:
    """A signed AuthnRequest sent by redirect to the provider's single sign-on service."""
    from saml2 import BINDING_HTTP_REDIRECT

    with _client(request, provider) as client:
        request_id, info = client.prepare_for_authenticate(
            entityid=provider.saml_entity_id,
            relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        )
    return AuthnRequest(request_id, dict(info["headers"])["Location"])


def in_response_to(saml_response: str) -> str:
    """The request id a response claims to answer (read before any check, to find the request;
    pysaml2 then verifies everything, that id included)."""
    try:
        root = ElementTree.fromstring(base64.b64decode(saml_response, validate=False))
    except (binascii.Error, ValueError, ElementTree.ParseError) as error:
        raise SamlRefused("unreadable response") from error
    if root.tag != f"{{{SAMLP}}}Response" or not root.get("InResponseTo"):
        raise SamlRefused("not a response to a request")
    return root.get("InResponseTo")


def _values(response: Any, name: str) -> list[str]:
    """The values of attribute ``name`` (by its name or friendly name) in the verified
    assertion: pysaml2's mapped view first, then the raw statements for unmapped names."""
    found = response.ava.get(name) or []
    if found:
        return [str(value) for value in found]
    for statement in response.assertion.attribute_statement:
        for attribute in statement.attribute:
            if name in {attribute.name, attribute.friendly_name}:
                return [value.text for value in attribute.attribute_value if value.text]
    return []


def verified_join_id(
    request: HttpRequest, provider: IdentityProvider, saml_response: str, request_id: str
) -> str:
    """The join identifier asserted by a verified response to ``request_id``."""
    from saml2 import BINDING_HTTP_POST

    with _client(request, provider) as client:
        try:
            response = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
            )
        # pysaml2 signals each failed check with its own exception class (signature, lifetime,
        # audience, status, decryption…): all of them mean the same refusal here.
        except Exception as error:
            raise SamlRefused(f"{type(error).__name__}: {error}") from error
        if response is None or response.assertion is None:
            raise SamlRefused("no verified assertion")
        values = _values(response, provider.join_attribute)
    if len(values) != 1 or not values[0].strip():
        raise SamlRefused(f"attribute {provider.join_attribute} absent or ambiguous")
    return values[0].strip()
