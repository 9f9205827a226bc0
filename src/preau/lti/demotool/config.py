"""What « Calcul mental » knows as a tool: its key pair, its registrations, its HTTP client.

- The RSA key pair is made on first use in ``settings.LTI_DEMO_TOOL_KEY_FILE`` (the data folder
  by default, readable by its owner only) and never committed. The demo registration reads its
  public half from there.
- Its registrations are the tools whose login initiation address is its own: the tool lives in
  Préau's process, so it reads the client id and deployment id Préau gave it from Préau's table
  instead of a configuration file of its own.
- Every call to Préau (key set, token, services) goes over HTTP to ``PORTAL_URL``, as for an
  outside tool; ``http_session`` is the one place that makes the client.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import requests
from django.conf import settings
from django.urls import reverse
from jwcrypto import jwk
from pylti1p3.tool_config import ToolConfDict

from preau.lti import protocol
from preau.lti.models import LtiTool

USER_AGENT = "Preau-Calcul-mental"


def _key_file() -> Path:
    return Path(settings.LTI_DEMO_TOOL_KEY_FILE)


def private_pem() -> str:
    """The tool's private key, made on first use."""
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = jwk.JWK.generate(kty="RSA", size=2048)
        # Written whole to a file readable by its owner only (mkstemp), then linked into place:
        # two first requests at once never see a half-written key, and the first one wins.
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".lti-demo-key-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(key.export_to_pem(private_key=True, password=None))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            os.unlink(draft)
    return path.read_text()


def public_pem() -> str:
    return jwk.JWK.from_pem(private_pem().encode()).export_to_pem().decode()


def address(route: str) -> str:
    """One of the tool's addresses, on the portal's public address."""
    return protocol.issuer() + reverse(route)


def registrations() -> list[LtiTool]:
    return list(
        LtiTool.objects.filter(login_url=address("lti_demo:login"), is_active=True).order_by("pk")
    )


def tool_conf() -> ToolConfDict:
    """pylti1p3's configuration: Préau as the one issuer, a client per registration."""
    issuer = protocol.issuer()
    clients = registrations()
    conf = ToolConfDict(
        {
            issuer: [
                {
                    "default": False,
                    "client_id": tool.client_id,
                    "auth_login_url": protocol.absolute("lti:authorize"),
                    "auth_token_url": protocol.absolute("lti:token"),
                    "key_set_url": protocol.absolute("lti:jwks"),
                    "key_set": None,
                    "deployment_ids": [tool.deployment_id],
                }
                for tool in clients
            ]
        }
    )
    private, public = private_pem(), public_pem()
    for tool in clients:
        conf.set_private_key(issuer, private, client_id=tool.client_id)
        conf.set_public_key(issuer, public, client_id=tool.client_id)
    return conf


def http_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session
