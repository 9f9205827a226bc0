"""Passkeys (WebAuthn) with py_webauthn: the options the browser needs and the checks of what it
answers. The relying party is the portal's own host (``PASSKEY_RP_ID`` to set it apart, e.g. the
parent domain); the challenge of each ceremony is kept in the session and used once.

Passkeys are discoverable credentials (« resident keys »): the login page asks for any passkey of
this portal, without a username, and the credential says whose it is. User verification (the
fingerprint, face or PIN that unlocks the device) is required, so a passkey login counts as two
factors.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

RP_NAME = "Préau"
_REGISTER = "preau.passkey.register"
_LOGIN = "preau.passkey.login"


class PasskeyRefused(Exception):
    """The browser's answer did not check out (wrong challenge, origin, signature…)."""


def rp_id(request: HttpRequest) -> str:
    return settings.PASSKEY_RP_ID or request.get_host().rsplit(":", 1)[0]


def origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def registration_options(request: HttpRequest, user: Any, existing: list[str]) -> str:
    """JSON options for navigator.credentials.create(); ``existing`` are the credential ids the
    person already has (the browser refuses to register the same device twice)."""
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name=RP_NAME,
        user_id=user.public_id.bytes,
        user_name=user.username,
        user_display_name=user.get_full_name() or user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_decode(cid)) for cid in existing],
    )
    request.session[_REGISTER] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def verify_registration(request: HttpRequest, credential: dict[str, Any]) -> tuple[str, bytes, int]:
    """(credential id, public key, sign count) of a new passkey, or PasskeyRefused."""
    challenge = request.session.pop(_REGISTER, None)
    if not challenge:
        raise PasskeyRefused
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential),
            expected_challenge=_decode(challenge),
            expected_rp_id=rp_id(request),
            expected_origin=origin(request),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused from exc
    return (
        bytes_to_base64url(verified.credential_id),
        verified.credential_public_key,
        verified.sign_count,
    )


def authentication_options(request: HttpRequest) -> str:
    options = generate_authentication_options(
        rp_id=rp_id(request), user_verification=UserVerificationRequirement.REQUIRED
    )
    request.session[_LOGIN] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def credential_id_of(credential: dict[str, Any]) -> str:
    value = credential.get("rawId") or credential.get("id") or ""
    return value if isinstance(value, str) else ""


def verify_authentication(
    request: HttpRequest, credential: dict[str, Any], public_key: bytes, sign_count: int
) -> int:
    """The new sign count after a valid assertion, or PasskeyRefused."""
    challenge = request.session.pop(_LOGIN, None)
    if not challenge:
        raise PasskeyRefused
    try:
        verified = verify_authentication_response(
            credential=json.dumps(credential),
            expected_challenge=_decode(challenge),
            expected_rp_id=rp_id(request),
            expected_origin=origin(request),
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused from exc
    return verified.new_sign_count


def _decode(value: str) -> bytes:
    from webauthn.helpers import base64url_to_bytes

    return base64url_to_bytes(value)
