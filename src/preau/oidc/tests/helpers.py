"""PKCE and the registration of test clients, for the in-process and live tests."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

REDIRECT = "https://plateforme.example/auth/oidc/"
LOGOUT_REDIRECT = "https://plateforme.example/"


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def register(cast: Any, *, public: bool = False, academy: bool = False) -> Any:
    from preau.oidc.actions import do_register_client

    owner = {"academy": cast.moulin.academy} if academy else {"establishment": cast.moulin}
    return do_register_client(
        actor=cast.principal_moulin,
        name="Plateforme",
        public=public,
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=[LOGOUT_REDIRECT],
        **owner,
    )
