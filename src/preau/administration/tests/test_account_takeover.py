"""Taking charge of an account (changing its e-mail address, handing out an activation code) is
refused whenever the account reaches more than the actor administers: the school's head for a
delegated administrator, an academy, or a child enrolled in another school."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from preau.accounts.models import ActivationCode
from preau.accounts.policies import can_issue_activation_code
from preau.core.actor import Actor
from preau.core.testing import log_in_with_second_factor
from preau.directory.models import (
    AcademyAdministrator,
    Enrolment,
    Guardianship,
    Membership,
    Profile,
    SchoolYear,
)
from preau.directory.policies import can_take_charge_of_account

pytestmark = pytest.mark.django_db

User = get_user_model()


def membership_of(c: Any, user: Any, establishment: Any = None) -> Membership:
    return Membership.objects.get(
        person=user, establishment=establishment or c.moulin, school_year=SchoolYear.current()
    )


def route(c: Any, name: str, user: Any) -> str:
    return reverse(
        f"administration:{name}",
        kwargs={"public_id": c.moulin.public_id, "member_id": membership_of(c, user).public_id},
    )


def edit_data(user: Any, functions: list[str], email: str) -> dict[str, Any]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": email,
        "birth_date": user.birth_date.isoformat() if user.birth_date else "",
        "functions": functions,
    }


def assert_cannot_take_over(c: Any, client: Any, actor_user: Any, person: Any) -> None:
    """Neither the e-mail address (then a reset link) nor a code (then a new password)."""
    log_in_with_second_factor(client, actor_user)
    functions = membership_of(c, person).functions
    edit = route(c, "member_edit", person)
    assert client.get(edit).context["form"].fields["email"].disabled
    client.post(edit, edit_data(person, functions, "attacker@example.org"))
    assert User.objects.get(pk=person.pk).email != "attacker@example.org"
    client.post(route(c, "member_code", person))
    client.post(route(c, "member_letter", person))
    assert not ActivationCode.objects.filter(person=person).exists()
    assert not can_take_charge_of_account(Actor(actor_user), person, c.moulin)
    assert not can_issue_activation_code(Actor(actor_user), person, c.moulin)


def test_a_delegated_administrator_cannot_change_the_heads_email(cast: Any, client: Any) -> None:
    membership = membership_of(cast, cast.cpe_moulin)
    membership.functions = ["administrator", "cpe"]
    membership.save(update_fields=["functions"])
    assert_cannot_take_over(cast, client, cast.cpe_moulin, cast.principal_moulin)
    # The head, who holds head rights, may still edit the delegate's address.
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(
        route(cast, "member_edit", cast.cpe_moulin),
        edit_data(cast.cpe_moulin, ["administrator", "cpe"], "cpe@example.org"),
    )
    assert User.objects.get(pk=cast.cpe_moulin.pk).email == "cpe@example.org"


def test_a_head_cannot_take_over_an_academy_administrator(cast: Any, client: Any) -> None:
    """The rectorat's administrator also teaches at Jean Moulin: that membership does not hand
    the whole academy to the school's head."""
    Membership.objects.create(
        person=cast.rectorat_versailles,
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        profile=Profile.TEACHER,
    )
    assert_cannot_take_over(cast, client, cast.principal_moulin, cast.rectorat_versailles)
    # Someone who manages that academy may.
    other = User.objects.create(username="rectorat.bis")
    AcademyAdministrator.objects.create(academy=cast.moulin.academy, person=other)
    assert can_take_charge_of_account(Actor(other), cast.rectorat_versailles, cast.moulin)


def test_a_head_cannot_take_over_a_guardian_of_a_child_elsewhere(cast: Any, client: Any) -> None:
    """Sophie's membership at Marie Curie is closed, but she is still Hugo's guardian there: her
    account opens Hugo's records, which are not Jean Moulin's to hand out."""
    curie = membership_of(cast, cast.sophie, cast.curie)
    curie.is_active = False
    curie.save(update_fields=["is_active"])
    assert Enrolment.objects.filter(student=cast.hugo, establishment=cast.curie).exists()
    assert Guardianship.objects.filter(guardian=cast.sophie, student=cast.hugo).exists()
    assert_cannot_take_over(cast, client, cast.principal_moulin, cast.sophie)
    # Karim's children are all at Jean Moulin: his account is the school's to take charge of.
    head = Actor(cast.principal_moulin)
    assert can_take_charge_of_account(head, cast.karim, cast.moulin)
    assert can_issue_activation_code(head, cast.karim, cast.moulin)
