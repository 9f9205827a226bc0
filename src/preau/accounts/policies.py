"""Who may hand out activation codes, and to whom.

A code lets its holder set the account's password, so issuing one is taking charge of the
account: an establishment's administration may do it only for the people attached to it this
year and to no school it does not administer, never for Préau's own administrators, and a
delegated administrator never for those who administer the school. Whether the actor
administers an establishment is decided by preau.directory.policies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from preau.core.actor import ADMIN_FUNCTIONS
from preau.directory.models import Membership
from preau.directory.policies import (
    administered_establishments,
    can_administer,
    holds_head_rights,
)

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
    people = people.filter(is_superuser=False, is_staff=False)
    # Someone also known to a school the actor does not administer (a parent with a child in
    # another academy) is not this school's to take charge of: see can_take_charge_of_account.
    known_elsewhere = (
        Membership.objects.filter(school_year=year, is_active=True)
        .exclude(establishment__in=administered_establishments(actor))
        .values("person")
    )
    people = people.exclude(pk__in=known_elsewhere)
    if not holds_head_rights(actor, establishment):
        # A delegated administrator cannot take over the accounts that administer the school.
        staff = Membership.objects.filter(
            establishment=establishment, school_year=year, is_active=True
        ).exclude(functions=[])
        administrators = [m.person_id for m in staff if set(m.functions) & ADMIN_FUNCTIONS]
        people = people.exclude(pk__in=administrators)
    return people


def can_issue_activation_code(
    actor: Actor, person: UserModel, establishment: Establishment
) -> bool:
    return activation_code_people(actor, establishment).filter(pk=person.pk).exists()
