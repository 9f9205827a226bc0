"""A real SAML 2 identity provider for the tests: pysaml2's own IdP (saml2.server.Server) with a
key and certificate made for the test, answering the AuthnRequests our service provider sends."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server

from preau.federation.keys import new_key_pair

IDP = "https://educonnect.test/idp"
SSO = f"{IDP}/sso"


class PeerIdentityProvider:
    def __init__(self, folder: Path) -> None:
        key, certificate = new_key_pair("ÉduConnect de test")
        self.key_file, self.cert_file = folder / "idp.key", folder / "idp.crt"
        self.key_file.write_text(key)
        self.cert_file.write_text(certificate)
        self.server: Server | None = None

    def _config(self, sp_metadata: str | None) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": IDP,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(SSO, BINDING_HTTP_REDIRECT)]},
                        "policy": {"default": {"lifetime": {"minutes": 5}}},
                    }
                },
            }
        )
        return config

    def metadata(self) -> str:
        return str(entity_descriptor(self._config(None)))

    def trust(self, sp_metadata: str) -> None:
        self.server = Server(config=self._config(sp_metadata))

    def answer(
        self,
        location: str,
        attributes: dict[str, list[str]],
        *,
        sign_response: bool = True,
        sign_assertion: bool = True,
    ) -> dict[str, str]:
        """The POST our ACS receives for the AuthnRequest sent by redirect to ``location``."""
        assert self.server is not None
        query = parse_qs(urlsplit(location).query)
        assert location.startswith(SSO)
        parsed = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        request: Any = parsed.message
        destination, _binding = (
            request.assertion_consumer_service_url,
            request.protocol_binding,
        )
        response = self.server.create_authn_response(
            identity=attributes,
            in_response_to=request.id,
            destination=destination,
            sp_entity_id=request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="_a1b2c3"),
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            },
            sign_response=sign_response,
            sign_assertion=sign_assertion,
        )
        return {
            "SAMLResponse": base64.b64encode(str(response).encode()).decode(),
            "RelayState": query.get("RelayState", [""])[0],
            "destination": destination,
            "name_format": NAME_FORMAT_BASIC,
        }
