"""Préau as an OpenID Connect relying party: the authorization code flow with PKCE, through
Authlib's client (authorization address, token request) and joserfc (the id_token).

The id_token must be signed by a key of the provider's JWKS, come from the registered issuer,
be meant for our client id, be unexpired and carry the nonce of this login.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from preau.federation.models import IdentityProvider

HTTP_TIMEOUT = 10
DISCOVERY_CACHE = 3600
LEEWAY = 60
SIGNING_ALGORITHMS = ["RS256", "PS256", "ES256"]


class OidcRefused(Exception):
    """The provider's answer does not prove a login."""


def discovery_url(issuer: str) -> str:
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration"


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise OidcRefused(f"{url}: {error}") from error
    if not isinstance(document, dict):
        raise OidcRefused(f"{url}: not a JSON object")
    return document


def discovery(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, whose issuer must be the registered one."""
    key = f"preau:federation:discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        document = _get_json(discovery_url(issuer))
        if document.get("issuer") != issuer:
            raise OidcRefused("the discovery document names another issuer")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(name), str):
                raise OidcRefused(f"the discovery document has no {name}")
        cache.set(key, document, DISCOVERY_CACHE)
    return document


def _session(provider: IdentityProvider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.oidc_client_id,
        client_secret=provider.oidc_client_secret or None,
        scope=provider.oidc_scopes or "openid",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if provider.oidc_client_secret else "none",
    )


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    nonce: str
    code_verifier: str


def authorization(provider: IdentityProvider, redirect_uri: str) -> Authorization:
    """Where to send the browser, and what the session must remember to check the return."""
    endpoint = discovery(provider.oidc_issuer)["authorization_endpoint"]
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    with _session(provider, redirect_uri) as session:
        url, _ = session.create_authorization_url(
            endpoint, state=state, nonce=nonce, code_verifier=verifier
        )
    return Authorization(url, state, nonce, verifier)


def verified_join_id(
    provider: IdentityProvider, redirect_uri: str, code: str, *, nonce: str, code_verifier: str
) -> str:
    """Exchange ``code`` for tokens and return the join identifier of the verified id_token."""
    document = discovery(provider.oidc_issuer)
    with _session(provider, redirect_uri) as session:
        try:
            token = session.fetch_token(
                document["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                timeout=HTTP_TIMEOUT,
            )
        except Exception as error:
            raise OidcRefused(f"token request refused: {type(error).__name__}") from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise OidcRefused("no id_token")
    claims = _verified_claims(provider, document["jwks_uri"], id_token, nonce)
    value = claims.get(provider.join_attribute)
    if not isinstance(value, str | int) or not str(value).strip():
        raise OidcRefused(f"claim {provider.join_attribute} absent")
    return str(value).strip()


def _verified_claims(
    provider: IdentityProvider, jwks_uri: str, id_token: str, nonce: str
) -> dict[str, Any]:
    try:
        keys = KeySet.import_key_set(_get_json(jwks_uri))
        decoded = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": provider.oidc_issuer},
            aud={"essential": True, "value": provider.oidc_client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as error:
        raise OidcRefused(f"id_token refused: {type(error).__name__}: {error}") from error
    claims = decoded.claims
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.oidc_client_id:
        raise OidcRefused("id_token for several audiences without our azp")
    return claims
