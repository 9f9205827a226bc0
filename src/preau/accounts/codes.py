"""Activation codes: how they are made, written, read back and stored.

A code is 10 characters from a 31-character alphabet without look-alikes (no 0/O, 1/I/L), about
49 bits, printed as ABCD-EFGH-JK. It is stored as an HMAC-SHA256 keyed with SECRET_KEY rather
than with the password hasher: the code is random (nothing for a slow hash to protect against
dictionary guesses), guessing online is throttled, and a copy of the database alone does not let
anyone check a guess without the key. Codes made under an older key still verify through
SECRET_KEY_FALLBACKS until they expire.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10
GROUPS = (4, 4, 2)
_SALT = "preau.accounts.ActivationCode"


def generate() -> str:
    """A new code, grouped for reading aloud and typing: ABCD-EFGH-JK."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    parts, start = [], 0
    for size in GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(parts)


def normalise(code: str) -> str:
    """What the person typed, without dashes, spaces or case (``abcd efgh jk`` is fine)."""
    return "".join(c for c in code.upper() if c.isalnum())


def digest(code: str, secret: str | None = None) -> str:
    return salted_hmac(_SALT, normalise(code), secret=secret, algorithm="sha256").hexdigest()


def candidate_digests(code: str) -> list[str]:
    """The digests this code may be stored under: with the current key and each fallback."""
    return [digest(code, key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]


def expiry(issued_at: datetime) -> datetime:
    """When a code issued at ``issued_at`` stops working (ACTIVATION_CODE_VALIDITY_DAYS later)."""
    return issued_at + timedelta(days=settings.ACTIVATION_CODE_VALIDITY_DAYS)
