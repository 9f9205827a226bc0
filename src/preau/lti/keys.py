"""Préau's signing keys and the checking of tools' signatures.

The platform's RSA key is made on first use (or by ``preau lti_key rotate``) and kept in the
database: it never leaves it except as the public half at /lti/jwks.json. A tool's messages
(deep linking responses, client assertions) are checked against the public key registered for
it, or against the key set published at its JWKS address (fetched with a short timeout and kept
a few minutes in the cache).
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException

from preau.lti.models import LtiTool, PlatformKey

JWKS_CACHE_SECONDS = 300
FETCH_TIMEOUT_SECONDS = 5
LEEWAY_SECONDS = 60


class InvalidToolToken(Exception):
    """A tool's JWT that does not verify: bad signature, wrong issuer or audience, expired."""


def _new_key() -> PlatformKey:
    key = jwk.JWK.generate(kty="RSA", size=2048)
    pem = key.export_to_pem(private_key=True, password=None).decode()
    return PlatformKey.objects.create(kid=secrets.token_urlsafe(12), private_pem=pem)


def signing_key() -> PlatformKey:
    """The key that signs now: the newest one not retired, made if there is none."""
    key = PlatformKey.objects.filter(retired_at__isnull=True).first()
    if key is not None:
        return key
    with transaction.atomic():
        key = PlatformKey.objects.select_for_update().filter(retired_at__isnull=True).first()
        return key or _new_key()


@transaction.atomic
def rotate() -> PlatformKey:
    """A new signing key; the previous ones are retired but stay published."""
    PlatformKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
    return _new_key()


def prune_retired() -> int:
    """Forget the retired keys (once the tools have had time to fetch the new one)."""
    deleted, _ = PlatformKey.objects.filter(retired_at__isnull=False).delete()
    return deleted


def public_jwks() -> dict[str, Any]:
    signing_key()
    keys = []
    for row in PlatformKey.objects.all():
        public = jwk.JWK.from_pem(row.private_pem.encode()).export_public(as_dict=True)
        keys.append({**public, "kid": row.kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


def sign(claims: dict[str, Any]) -> str:
    key = signing_key()
    private = jwk.JWK.from_pem(key.private_pem.encode())
    token = jwt.JWT(header={"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims=claims)
    token.make_signed_token(private)
    return token.serialize()


def _tool_keys(tool: LtiTool) -> jwk.JWKSet:
    keys = jwk.JWKSet()
    if tool.public_key.strip():
        keys.add(jwk.JWK.from_pem(tool.public_key.strip().encode()))
        return keys
    if not tool.jwks_url:
        raise InvalidToolToken("no key registered")
    cache_key = f"lti:jwks:{tool.pk}:{tool.jwks_url}"
    document = cache.get(cache_key)
    if document is None:
        try:
            with urllib.request.urlopen(  # noqa: S310 - the address is checked to be https
                tool.jwks_url, timeout=FETCH_TIMEOUT_SECONDS
            ) as response:
                document = response.read(200_000).decode()
        except OSError as error:
            raise InvalidToolToken(f"key set unreachable: {error}") from error
        cache.set(cache_key, document, JWKS_CACHE_SECONDS)
    try:
        return jwk.JWKSet.from_json(document)
    except (JWException, ValueError, TypeError) as error:
        raise InvalidToolToken("unreadable key set") from error


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT before its signature is checked: only to find who claims to sign."""
    try:
        parsed = jws.JWS()
        parsed.deserialize(token)
        claims = json.loads(parsed.objects["payload"])
    except (JWException, ValueError, KeyError, TypeError) as error:
        raise InvalidToolToken("malformed token") from error
    if not isinstance(claims, dict):
        raise InvalidToolToken("malformed token")
    return claims


def verify_tool_token(tool: LtiTool, token: str, *, audiences: list[str]) -> dict[str, Any]:
    """The claims of ``token`` once signed by ``tool`` (RS256), issued by its client id, meant
    for one of ``audiences``, and neither expired nor issued in the future."""
    keys = _tool_keys(tool)
    try:
        checked = jwt.JWT(jwt=token, key=keys, algs=["RS256"], expected_type="JWS")
        claims = json.loads(checked.claims)
    except (JWException, ValueError, TypeError) as error:
        raise InvalidToolToken(f"signature: {error}") from error
    if claims.get("iss") != tool.client_id:
        raise InvalidToolToken("issuer")
    audience = claims.get("aud")
    audience = audience if isinstance(audience, list) else [audience]
    if not set(audience) & set(audiences):
        raise InvalidToolToken("audience")
    now = time.time()
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires + LEEWAY_SECONDS < now:
        raise InvalidToolToken("expired")
    issued = claims.get("iat")
    if isinstance(issued, int | float) and issued - LEEWAY_SECONDS > now:
        raise InvalidToolToken("issued in the future")
    return claims
