"""Limits on failed logins, per account and per network address, kept in Django's cache.

Why not django-axes: it applies one failure threshold to every parameter it tracks, while a
school's pupils share one public address (a whole collège behind one router). A threshold low
enough to protect an account would lock out the school at the first lesson with the portal; one
high enough for the school would protect no account. Here each counter has its own limit.

Each counter opens a window at its first failure and counts until the window ends; a success
clears the account's counter but not the address's, so that one valid password does not buy an
attacker another round of guesses on other accounts from the same address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

PREFIX = "preau:login-failures"


@dataclass(frozen=True)
class Attempt:
    """The two counters one login or activation attempt is charged to (cache keys)."""

    account_key: str
    address_key: str | None


def _digest(value: str) -> str:
    # Hashed so that any typed text makes a valid cache key, and the cache holds no usernames.
    return hashlib.sha256(value.encode()).hexdigest()


def network(address: str | None) -> str | None:
    """The unit an address is counted in: itself for IPv4, its /64 for IPv6.

    One IPv6 subscriber usually holds a whole /64, and could otherwise rotate addresses freely.
    """
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def attempt_for(*, identifier: str, person: Any, address: str | None) -> Attempt:
    """Counters for an attempt on ``person`` (or on the name typed, when it matches nobody).

    Keying a known person by their id makes the username and the e-mail address share one
    counter; unknown names get counters too, so that the refusal does not reveal who exists.
    """
    account = f"person:{person.pk}" if person is not None else f"name:{identifier.strip().lower()}"
    net = network(address)
    return Attempt(
        account_key=f"{PREFIX}:account:{_digest(account)}",
        address_key=f"{PREFIX}:address:{_digest(net)}" if net else None,
    )


def _counters(attempt: Attempt) -> list[tuple[str, int]]:
    counters = [(attempt.account_key, settings.LOGIN_FAILURES_PER_ACCOUNT)]
    if attempt.address_key:
        counters.append((attempt.address_key, settings.LOGIN_FAILURES_PER_ADDRESS))
    return counters


def seconds_to_wait(attempt: Attempt) -> int:
    """0 when the attempt may go ahead, else the seconds until the longest block ends."""
    counters = _counters(attempt)
    keys = [k for key, _ in counters for k in (key, f"{key}:since")]
    values = cache.get_many(keys)
    now = time.time()
    window = settings.LOGIN_THROTTLE_WINDOW
    wait = 0.0
    for key, limit in counters:
        if values.get(key, 0) >= limit:
            since = values.get(f"{key}:since", now)
            wait = max(wait, since + window - now, 1)
    return math.ceil(wait)


def note_failure(attempt: Attempt) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW
    for key, _ in _counters(attempt):
        if cache.add(key, 1, window):
            cache.set(f"{key}:since", time.time(), window)
            continue
        try:
            cache.incr(key)
        except ValueError:
            # The window ended between add() and incr(): this failure opens a new one.
            cache.set(key, 1, window)
            cache.set(f"{key}:since", time.time(), window)


def note_success(attempt: Attempt) -> None:
    cache.delete_many([attempt.account_key, f"{attempt.account_key}:since"])


def refusal_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Trop de tentatives de connexion. Par sécurité, patientez %(minutes)d minute "
        "avant de réessayer.",
        "Trop de tentatives de connexion. Par sécurité, patientez %(minutes)d minutes "
        "avant de réessayer.",
        minutes,
    ) % {"minutes": minutes}


# -- password reset e-mails ------------------------------------------------------------------------
# Reset links go to an address without proof that the requester owns it: limit how many one
# address receives and one network sends, so that the form cannot be used to flood a mailbox.
RESET_PREFIX = "preau:reset-requests"
RESETS_PER_EMAIL = 3
RESETS_PER_NETWORK = 20
RESET_WINDOW = 3600


def allow_reset_email(*, email: str, address: str | None) -> bool:
    """Count a reset request; False when the address or the network has had enough for now."""
    counters = [(f"{RESET_PREFIX}:email:{_digest(email.strip().lower())}", RESETS_PER_EMAIL)]
    net = network(address)
    if net:
        counters.append((f"{RESET_PREFIX}:network:{_digest(net)}", RESETS_PER_NETWORK))
    allowed = True
    for key, limit in counters:
        if not cache.add(key, 1, RESET_WINDOW):
            try:
                count = cache.incr(key)
            except ValueError:
                cache.set(key, 1, RESET_WINDOW)
                count = 1
            allowed = allowed and count <= limit
    return allowed
