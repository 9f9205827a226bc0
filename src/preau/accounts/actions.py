"""Changes to accounts: logins, sessions, language, e-mail, passwords and activation codes.

Callers (views, API handlers, the administration console) have already checked access through
the policies (accounts.policies for activation codes) and parsed the input.
"""

from __future__ import annotations

import ipaddress
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import (
    authenticate,
    get_user_model,
    password_validation,
    update_session_auth_hash,
)
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.accounts import codes, throttle, twofactor
from preau.accounts.backends import find_account
from preau.accounts.letters import ActivationLetter
from preau.accounts.models import (
    AccountSession,
    ActivationCode,
    Passkey,
    RecoveryCode,
    TotpDevice,
)
from preau.audit.actions import record, record_login
from preau.directory.models import Membership

if TYPE_CHECKING:
    from preau.accounts.models import User as UserModel
    from preau.directory.models import Establishment

User = get_user_model()

INVALID_LOGIN = _(
    "Identifiant ou mot de passe incorrect. Si plusieurs comptes partagent votre adresse e-mail "
    "(par exemple dans une famille), saisissez votre identifiant."
)
INVALID_ACTIVATION = _(
    "Ce code ne permet pas d'activer le compte : l'identifiant ou le code est incorrect, ou le "
    "code a expiré ou a déjà servi. Vérifiez votre saisie ou demandez un nouveau code à "
    "l'établissement."
)


class LoginRefused(Exception):
    """A login attempt that did not succeed; ``message`` is safe to show as it is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ActivationRefused(Exception):
    """Unknown user, wrong, expired or used code: one answer for all, so none is revealed."""

    message = INVALID_ACTIVATION


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, as the server saw it (None if not an IP address)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


# -- logging in and out -------------------------------------------------------------------------


def do_authenticate(*, request: HttpRequest, username: str, password: str) -> UserModel:
    """Check one login attempt against the throttle and the password, and record it.

    Returns the user (the caller then logs them in) or raises LoginRefused. While the account
    or the address is blocked, even the right password is refused: the block must not become
    an oracle for guesses.
    """
    address = client_address(request)
    person = find_account(username)
    attempt = throttle.attempt_for(identifier=username, person=person, address=address)
    wait = throttle.seconds_to_wait(attempt)
    if wait:
        record_login(person=person, username_tried=username, succeeded=False, address=address)
        raise LoginRefused(throttle.refusal_message(wait), "throttled")
    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle.note_failure(attempt)
        record_login(person=person, username_tried=username, succeeded=False, address=address)
        raise LoginRefused(str(INVALID_LOGIN), "invalid_login")
    throttle.note_success(attempt)
    record_login(person=user, username_tried=username, succeeded=True, address=address)
    return user


def do_check_current_password(*, user: UserModel, password: str) -> bool:
    """Whether ``password`` is the signed-in ``user``'s, checked against the login throttle.

    The profile asks for the current password before changing the e-mail address or the
    password: that check is charged to the account's counter like a login, so that a stolen
    session cannot guess the password at leisure. Raises LoginRefused while the account is
    blocked, even for the right password.
    """
    attempt = throttle.attempt_for(identifier=user.username, person=user, address=None)
    wait = throttle.seconds_to_wait(attempt)
    if wait:
        raise LoginRefused(throttle.refusal_message(wait), "throttled")
    if not user.check_password(password):
        throttle.note_failure(attempt)
        return False
    throttle.note_success(attempt)
    return True


def do_logout_everywhere(*, actor: Any) -> None:
    """End every session of the actor's account, on every device, the current one included.

    Sessions carry a hash that includes the session epoch (User._get_session_auth_hash);
    bumping it makes Django drop each of them at its next request.
    """
    user = actor.user
    user.session_epoch = F("session_epoch") + 1
    user.save(update_fields=["session_epoch"])
    user.refresh_from_db(fields=["session_epoch"])


# -- the profile -----------------------------------------------------------------------------


def do_set_language(*, actor: Any, language: str) -> None:
    user = actor.user
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def do_change_email(*, actor: Any, email: str) -> None:
    user = actor.user
    if user.email != email:
        user.email = email
        user.save(update_fields=["email"])


def do_change_password(*, actor: Any, password: str) -> None:
    """Set a new password (already validated). Every other session of the account ends."""
    user = actor.user
    user.set_password(password)
    user.save(update_fields=["password"])


# -- activation codes --------------------------------------------------------------------------


def _issue(
    *, actor: Any, person: UserModel, establishment: Establishment
) -> tuple[ActivationCode, str]:
    now = timezone.now()
    # A new code replaces the person's earlier ones: only the latest letter works.
    ActivationCode.objects.filter(person=person, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = codes.generate()
    issuer = getattr(actor, "user", actor)
    activation = ActivationCode.objects.create(
        person=person,
        establishment=establishment,
        code_hash=codes.digest(code),
        created_at=now,
        expires_at=codes.expiry(now),
        issued_by=issuer if getattr(issuer, "pk", None) else None,
    )
    # Until first login the code is the only way in; afterwards the person keeps their
    # password until they use the code, so a letter lost in a schoolbag locks nobody out.
    if person.last_login is None and person.has_usable_password():
        person.set_unusable_password()
        person.save(update_fields=["password"])
    record(
        actor=actor,
        establishment=establishment,
        action="accounts.activation_code.issue",
        target=person,
        after={"expires_at": activation.expires_at.isoformat()},
    )
    return activation, code


def do_issue_activation_code(*, actor: Any, person: UserModel, establishment: Establishment) -> str:
    """Issue a first-login code for ``person`` on behalf of ``establishment``; return it in clear.

    The clear code is returned once and never stored (only its keyed hash is). Earlier unused
    codes of the person stop working. The password becomes unusable only for a person who has
    never logged in. Check accounts.policies.can_issue_activation_code before calling.
    The code expires after ACTIVATION_CODE_VALIDITY_DAYS (codes.expiry).
    """
    with transaction.atomic():
        return _issue(actor=actor, person=person, establishment=establishment)[1]


def do_issue_activation_letters(
    *,
    actor: Any,
    people: list[UserModel],
    establishment: Establishment,
    portal_url: str,
) -> list[ActivationLetter]:
    """Issue a code for each person (one transaction) and return their printable letters.

    Give the result to letters.activation_letters_pdf. Check each person against
    accounts.policies.activation_code_people before calling.
    """
    letters = []
    with transaction.atomic():
        for person in people:
            activation, code = _issue(actor=actor, person=person, establishment=establishment)
            letters.append(
                ActivationLetter(
                    person=person,
                    establishment=establishment,
                    code=code,
                    expires_at=activation.expires_at,
                    portal_url=portal_url,
                )
            )
    return letters


def do_activate_account(*, username: str, code: str, password: str) -> UserModel:
    """Set the password of ``username`` with a valid activation code, and spend the code.

    Raises ActivationRefused (unknown or inactive user, wrong, expired or used code) with
    nothing changed, or ValidationError when the password fails the validators; the code is
    checked first so that the validators (which look at the person's name) reveal nothing to
    someone without it. The caller logs the person in and charges failures to the throttle.
    """
    with transaction.atomic():
        user = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
        if user is None:
            raise ActivationRefused
        activation = (
            # Locks the code row only, so that two tabs cannot both spend it.
            ActivationCode.objects.select_for_update(of=("self",))
            .filter(
                person=user,
                code_hash__in=codes.candidate_digests(code),
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .select_related("establishment")
            .first()
        )
        if activation is None:
            raise ActivationRefused
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        activation.used_at = timezone.now()
        activation.save(update_fields=["used_at"])
        record(
            actor=user,
            establishment=activation.establishment,
            action="accounts.activation_code.use",
            target=user,
        )
    return user


# -- the second factor ---------------------------------------------------------------------------

INVALID_SECOND_FACTOR = _(
    "Ce code n'est pas valable : vérifiez l'heure de votre téléphone et saisissez le code affiché "
    "maintenant (un code déjà utilisé ne sert qu'une fois), ou un code de secours."
)


def _audit_account(
    user: Any, action: str, target: Any, after: dict[str, Any] | None = None
) -> None:
    """An audit row for a change to one's own account, in each establishment the person belongs
    to this year (audit rows are per establishment); none for someone attached to none."""
    establishments = {
        m.establishment
        for m in Membership.objects.filter(person=user, is_active=True).select_related(
            "establishment"
        )
    }
    for establishment in establishments:
        record(actor=user, establishment=establishment, action=action, target=target, after=after)


class SecondFactorRefused(Exception):
    """A wrong, spent or throttled code; ``message`` is safe to show as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def do_start_totp(*, actor: Any) -> TotpDevice:
    """The person's device waiting for confirmation (a new secret unless one is waiting).

    Refused (ValueError) when a confirmed device exists: it must be removed first, with a
    verified session, so that a stolen session cannot swap the authenticator.
    """
    user = actor.user
    device = TotpDevice.objects.filter(person=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ValueError("already enrolled")
    if device is None:
        device = TotpDevice.objects.create(person=user, secret=twofactor.new_secret())
    return device


def _new_recovery_codes(user: Any) -> list[str]:
    RecoveryCode.objects.filter(person=user).delete()
    plain = [twofactor.new_recovery_code() for _ in range(twofactor.RECOVERY_CODES)]
    now = timezone.now()
    RecoveryCode.objects.bulk_create(
        [
            RecoveryCode(person=user, code_hash=twofactor.recovery_digest(code), created_at=now)
            for code in plain
        ]
    )
    return plain


def do_confirm_totp(*, actor: Any, code: str) -> list[str]:
    """Confirm the waiting device with a code from the app; returns the new recovery codes
    (shown once, only their hashes are kept). Raises SecondFactorRefused for a wrong code."""
    user = actor.user
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(person=user, confirmed_at__isnull=True)
            .first()
        )
        step = None if device is None else twofactor.matching_step(device.secret, code, after=0)
        if device is None or step is None:
            raise SecondFactorRefused(str(INVALID_SECOND_FACTOR))
        device.confirmed_at = timezone.now()
        device.last_step = step
        device.save(update_fields=["confirmed_at", "last_step"])
        user.has_totp = True
        user.save(update_fields=["has_totp"])
        plain = _new_recovery_codes(user)
        _audit_account(actor.user, "accounts.totp.enrol", user)
    return plain


def do_renew_recovery_codes(*, actor: Any) -> list[str]:
    """Replace the recovery codes (the old ones stop working)."""
    with transaction.atomic():
        plain = _new_recovery_codes(actor.user)
        _audit_account(actor.user, "accounts.recovery_codes.renew", actor.user)
    return plain


def do_remove_totp(*, actor: Any) -> None:
    """Remove the authenticator and the recovery codes. The caller checks that the person is
    allowed to (not required to keep it) and that the session passed the second factor."""
    user = actor.user
    with transaction.atomic():
        TotpDevice.objects.filter(person=user).delete()
        RecoveryCode.objects.filter(person=user).delete()
        user.has_totp = False
        user.save(update_fields=["has_totp"])
        _audit_account(actor.user, "accounts.totp.remove", user)


def do_check_second_factor(*, request: HttpRequest, user: UserModel, code: str) -> str:
    """Check a TOTP or recovery code of ``user``; returns which kind passed.

    Charged to the login throttle like a wrong password (the account's and the address's
    counters), and refused while they are blocked, even for the right code. An accepted TOTP
    code spends its time step; a recovery code is spent.
    """
    address = client_address(request)
    attempt = throttle.attempt_for(identifier=user.username, person=user, address=address)
    wait = throttle.seconds_to_wait(attempt)
    if wait:
        record_login(person=user, username_tried=user.username, succeeded=False, address=address)
        raise SecondFactorRefused(throttle.refusal_message(wait))
    kind = None
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .filter(person=user, confirmed_at__isnull=False)
            .first()
        )
        if device is not None:
            step = twofactor.matching_step(device.secret, code, after=device.last_step)
            if step is not None:
                device.last_step = step
                device.save(update_fields=["last_step"])
                kind = "totp"
        if kind is None and code.strip():
            spent = RecoveryCode.objects.filter(
                person=user,
                used_at__isnull=True,
                code_hash__in=twofactor.recovery_candidates(code),
            ).update(used_at=timezone.now())
            if spent:
                kind = "recovery"
                _audit_account(user, "accounts.recovery_code.use", user)
    if kind is None:
        throttle.note_failure(attempt)
        record_login(person=user, username_tried=user.username, succeeded=False, address=address)
        raise SecondFactorRefused(str(INVALID_SECOND_FACTOR))
    throttle.note_success(attempt)
    return kind


# -- sessions and devices ------------------------------------------------------------------------


def do_record_session(*, request: HttpRequest, user: UserModel, device: str) -> AccountSession:
    """Note a session that just started (called when someone logs in)."""
    return AccountSession.objects.create(
        person=user,
        session_key=request.session.session_key or "",
        device=device,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        address=client_address(request),
    )


def _end_sessions(rows: list[AccountSession]) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    for row in rows:
        if row.session_key:
            engine.SessionStore(session_key=row.session_key).delete()
    AccountSession.objects.filter(pk__in=[row.pk for row in rows]).update(ended_at=timezone.now())


def do_revoke_session(*, actor: Any, account_session: AccountSession) -> None:
    """End one of the actor's other sessions (found through policies.access_account_session)."""
    with transaction.atomic():
        _end_sessions([account_session])
        _audit_account(actor.user, "accounts.session.revoke", account_session)


def do_revoke_other_sessions(*, request: HttpRequest, actor: Any) -> int:
    """End every session of the actor's account but this one; returns how many were listed.

    The session epoch is bumped too, so that sessions opened before they were recorded end as
    well; this session is carried over to the new epoch.
    """
    user = actor.user
    current = request.session.session_key
    with transaction.atomic():
        others = list(
            AccountSession.objects.filter(person=user, ended_at__isnull=True).exclude(
                session_key=current
            )
        )
        _end_sessions(others)
        do_logout_everywhere(actor=actor)
        update_session_auth_hash(request, user)
        AccountSession.objects.filter(person=user, session_key=current).update(
            session_key=request.session.session_key
        )
        _audit_account(
            actor.user, "accounts.session.revoke_others", user, {"sessions": len(others)}
        )
    return len(others)


# -- passkeys ---------------------------------------------------------------------------------


def do_add_passkey(
    *, actor: Any, name: str, credential_id: str, public_key: bytes, sign_count: int
) -> Passkey:
    with transaction.atomic():
        passkey = Passkey.objects.create(
            person=actor.user,
            name=(name or "").strip()[:60] or str(_("Clé d'accès")),
            credential_id=credential_id,
            public_key=public_key,
            sign_count=sign_count,
        )
        _audit_account(actor.user, "accounts.passkey.add", passkey)
    return passkey


def do_rename_passkey(*, actor: Any, passkey: Passkey, name: str) -> None:
    name = (name or "").strip()[:60]
    if name:
        passkey.name = name
        passkey.save(update_fields=["name"])


def do_delete_passkey(*, actor: Any, passkey: Passkey) -> None:
    with transaction.atomic():
        _audit_account(actor.user, "accounts.passkey.delete", passkey)
        passkey.delete()


def do_passkey_used(*, passkey: Passkey, sign_count: int) -> None:
    passkey.sign_count = sign_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
