"""Changes to accounts: logins, sessions, language, e-mail, passwords and activation codes.

Callers (views, API handlers, the administration console) have already checked access through
the policies (accounts.policies for activation codes) and parsed the input.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.accounts import codes, throttle
from preau.accounts.backends import find_account
from preau.accounts.letters import ActivationLetter
from preau.accounts.models import ActivationCode
from preau.audit.actions import record, record_login

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
