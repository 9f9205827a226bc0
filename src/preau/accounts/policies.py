"""Who may hand out activation codes, and to whom.

A code lets its holder set the account's password, so issuing one is taking charge of the
account: an establishment's administration may do it only for the people attached to it this
year and to no school it does not administer, never for Préau's own administrators, and a
delegated administrator never for those who administer the school. Whether the actor
administers an establishment is decided by preau.directory.policies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from preau.accounts.models import AccountSession, Passkey
from preau.directory.policies import accounts_beyond_charge, can_administer, get_or_404

if TYPE_CHECKING:
    from preau.accounts.models import User as UserModel
    from preau.core.actor import Actor
    from preau.directory.models import Establishment

User = get_user_model()


def activation_code_people(actor: Actor, establishment: Establishment) -> QuerySet[UserModel]:
    """The people ``actor`` may issue an activation code to on behalf of ``establishment``."""
    if not actor.is_authenticated or not can_administer(actor, establishment):
        return User.objects.none()
    year = actor.school_year
    people = User.objects.filter(
        is_active=True,
        memberships__establishment=establishment,
        memberships__school_year=year,
        memberships__is_active=True,
    ).distinct()
    if actor.is_superuser:
        return people
    # Someone whose account reaches beyond what the actor administers (a parent with a child
    # in another academy, an academy's administrator, the head for a delegated administrator)
    # is not this school's to take charge of: see accounts_beyond_charge.
    return people.exclude(accounts_beyond_charge(actor, establishment))


def can_issue_activation_code(
    actor: Actor, person: UserModel, establishment: Establishment
) -> bool:
    return activation_code_people(actor, establishment).filter(pk=person.pk).exists()


# -- one's own sessions ----------------------------------------------------------------------------


def own_open_sessions(actor: Any) -> QuerySet[AccountSession]:
    """The actor's sessions still open (ended ones are kept to remember devices)."""
    return AccountSession.objects.filter(person=actor.user, ended_at__isnull=True)


def access_account_session(actor: Any, public_id: Any) -> AccountSession:
    return get_or_404(own_open_sessions(actor), public_id)


def own_passkeys(actor: Any) -> QuerySet[Passkey]:
    return Passkey.objects.filter(person=actor.user)


def access_passkey(actor: Any, public_id: Any) -> Passkey:
    return get_or_404(own_passkeys(actor), public_id)


def passkey_for_login(credential_id: str) -> Passkey | None:
    """The passkey a browser names at login (anyone may try: the signature decides)."""
    if not credential_id:
        return None
    return (
        Passkey.objects.select_related("person")
        .filter(credential_id=credential_id, person__is_active=True)
        .first()
    )
