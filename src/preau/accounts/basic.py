"""HTTP Basic credentials, for the clients that cannot log in through the form: WebDAV file
managers and CalDAV calendar apps on phones.

The password may be a personal access token (« Jetons d'accès »: revocable, limited to one
scope, the recommended way) or the account's own password. Password checks go through the
login throttle like the login form. A sync client repeats its credentials on every request, so a
successful password check is remembered for a few minutes under a keyed digest of the
credentials and of the stored password hash: a password change, « log out everywhere » or a
deactivation ends it at once, and the cache never holds the password.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache

from preau.accounts import throttle
from preau.accounts.backends import find_account
from preau.api.models import TOKEN_PREFIX, PersonalAccessToken, hash_secret
from preau.audit.actions import record_login

VERIFIED_FOR = 300  # seconds a checked password is trusted again without Argon2
_PREFIX = "preau:basic"


def parse_basic(authorization: str | None) -> tuple[str, str] | None:
    """The (username, password) of an ``Authorization: Basic …`` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, separator, password = decoded.partition(":")
    if not separator or not username:
        return None
    return username, password


def _verified_key(user: Any, password: str) -> str:
    material = f"{user.pk}:{user.password}:{user.session_epoch}:{password}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), material, hashlib.sha256).hexdigest()
    return f"{_PREFIX}:{digest}"


def _by_token(username: str, token: str, scope: str) -> Any:
    row = (
        PersonalAccessToken.objects.usable()
        .select_related("person")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if row is None or not row.grants(scope):
        return None
    person = row.person
    # The username must be the token's owner: a leaked token alone names nobody.
    if not person.is_active or person.username.lower() != username.strip().lower():
        return None
    return person


def authenticate_basic(*, authorization: str | None, address: str | None, scope: str) -> Any:
    """The active person these Basic credentials designate, or None.

    ``scope`` is the personal access token scope the client needs (e.g. ``dav:files``); the
    account password is accepted for every scope. ``address`` is the client's address, for the
    throttle.
    """
    credentials = parse_basic(authorization)
    if credentials is None:
        return None
    username, password = credentials
    if password.startswith(TOKEN_PREFIX):
        return _by_token(username, password, scope)
    person = find_account(username)
    if person is not None and person.is_active and cache.get(_verified_key(person, password)):
        return person
    attempt = throttle.attempt_for(identifier=username, person=person, address=address)
    if throttle.seconds_to_wait(attempt):
        record_login(person=person, username_tried=username, succeeded=False, address=address)
        return None
    user = authenticate(None, username=username, password=password)
    if user is None:
        throttle.note_failure(attempt)
        record_login(person=person, username_tried=username, succeeded=False, address=address)
        return None
    throttle.note_success(attempt)
    record_login(person=user, username_tried=username, succeeded=True, address=address)
    cache.set(_verified_key(user, password), True, VERIFIED_FOR)
    return user
