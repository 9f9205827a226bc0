"""The second factor: TOTP codes from an authenticator app, single-use recovery codes, and what a
session remembers of having passed it.

A session passes the second factor at login (after the password), at enrolment, or by logging in
with a passkey. The moment is kept in the session (``SESSION_VERIFIED``); the pending login
between the password and the code is kept there too, never the password.

Who must have it: heads, deputies and delegated administrators of an establishment, academy
administrators and Django staff — anyone who reaches an administration page. The check is made
centrally (accounts.middleware.SecondFactorMiddleware) on the administration paths.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from preau.accounts import codes
from preau.core.actor import ADMIN_FUNCTIONS

SESSION_VERIFIED = "preau.second_factor_at"
SESSION_PENDING = "preau.pending_login"
# Between the password and the code: long enough to open the app, short enough to be useless later.
PENDING_VALIDITY = 300
ISSUER = "Préau"
STEP = 30
RECOVERY_CODES = 10
_RECOVERY_SALT = "preau.accounts.RecoveryCode"


def requires_second_factor(actor: Any) -> bool:
    """Whether this person holds an administration role anywhere (the rule of the ENT)."""
    user = actor.user
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    if any(set(m.functions) & ADMIN_FUNCTIONS for m in actor.memberships):
        return True
    return bool(actor.administered_academy_ids)


# -- the session ----------------------------------------------------------------------------------


def mark_verified(session: Any) -> None:
    session[SESSION_VERIFIED] = time.time()


def verified_at(session: Any) -> float | None:
    value = session.get(SESSION_VERIFIED)
    return float(value) if value is not None else None


def is_verified(session: Any) -> bool:
    return verified_at(session) is not None


def verified_recently(session: Any, seconds: int) -> bool:
    at = verified_at(session)
    return at is not None and time.time() - at <= seconds


def set_pending(session: Any, user: Any, backend: str) -> None:
    session[SESSION_PENDING] = {"user": user.pk, "backend": backend, "at": time.time()}


def pending_user_id(session: Any) -> tuple[int, str] | None:
    """The (user id, backend) waiting for their code, or None when absent or too old."""
    pending = session.get(SESSION_PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_VALIDITY:
        return None
    return pending["user"], pending["backend"]


def clear_pending(session: Any) -> None:
    session.pop(SESSION_PENDING, None)


# -- TOTP -----------------------------------------------------------------------------------------


def new_secret() -> str:
    return pyotp.random_base32(length=32)


def current_step() -> int:
    # timezone.now() rather than time.time(): the tests move the portal's clock.
    return int(timezone.now().timestamp()) // STEP


def matching_step(secret: str, code: str, *, after: int) -> int | None:
    """The time step whose code ``code`` is (now, one before or one after, for clocks that drift),
    or None; steps at or before ``after`` are spent and refused."""
    code = "".join(c for c in code if c.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    now = current_step()
    for step in (now - 1, now, now + 1):
        if step > after and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(user: Any, secret: str) -> str:
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(
        name=user.username, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> SafeString:
    """The enrolment QR code as inline SVG, drawn by the server (no outside service sees it)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return mark_safe(svg)  # segno's own markup: paths only, no text from the URI


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# -- recovery codes --------------------------------------------------------------------------------


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(codes.ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_digest(code: str, secret: str | None = None) -> str:
    return salted_hmac(
        _RECOVERY_SALT, codes.normalise(code), secret=secret, algorithm="sha256"
    ).hexdigest()


def recovery_candidates(code: str) -> list[str]:
    return [
        recovery_digest(code, key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ]


# -- step-up before a mass action -----------------------------------------------------------------

SESSION_DEVICE = "preau.device"


def step_up_needed(actor: Any) -> bool:
    """Whether a mass action (a large send, a bulk export) must wait for a fresh code.

    Asked of people who have an authenticator, from a device first seen for their account less
    than STEP_UP_NEW_DEVICE_DAYS days ago, unless this session passed the second factor within
    STEP_UP_VALIDITY seconds. People without an authenticator are not asked (they have nothing
    to give); the mass action is audited as it always is (docs/security.md).
    """
    from preau.accounts.sessions import is_new_device

    user = actor.user
    if not user.is_authenticated or not user.has_totp:
        return False
    session = actor.session
    if not hasattr(session, "session_key"):
        # No browser session: the demo, background work, tests of actions.
        return False
    if verified_recently(session, settings.STEP_UP_VALIDITY):
        return False
    device = session.get(SESSION_DEVICE, "")
    return not device or is_new_device(user, device, days=settings.STEP_UP_NEW_DEVICE_DAYS)
