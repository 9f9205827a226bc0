"""Cached directory reads never outlive a change to the directory."""

from typing import Any

import pytest
from django.contrib.auth import user_logged_in
from django.urls import reverse

from preau.core.actor import Actor
from preau.directory import actions, versions
from preau.directory.models import Membership, TeachingAssignment

pytestmark = pytest.mark.django_db


def test_removed_assignment_closes_the_class_at_once(cast: Any, client: Any) -> None:
    client.force_login(cast.garcia)
    url = reverse("directory:class", kwargs={"public_id": cast.class_4b.public_id})
    assert client.get(url).status_code == 200  # the actor's reads are now cached
    assignment = TeachingAssignment.objects.get(teacher=cast.garcia, school_class=cast.class_4b)
    actions.do_delete_assignment(
        actor=Actor(cast.principal_moulin), establishment=cast.moulin, assignment=assignment
    )
    assert client.get(url).status_code == 404


def test_deactivated_membership_takes_effect_at_once(cast: Any, client: Any) -> None:
    # Sophie keeps her membership at Marie Curie: her account stays open.
    client.force_login(cast.sophie)
    student_url = reverse("directory:student", kwargs={"public_id": cast.lea.public_id})
    assert client.get(student_url).status_code == 200
    membership = Membership.objects.get(person=cast.sophie, establishment=cast.moulin)
    actions.do_deactivate_membership(
        actor=Actor(cast.principal_moulin), establishment=cast.moulin, membership=membership
    )
    assert client.get(student_url).status_code == 404


def test_logins_do_not_empty_the_cache(cast: Any, client: Any) -> None:
    before = versions.current()
    client.force_login(cast.lea)  # updates last_login
    user_logged_in.send(sender=type(cast.lea), request=None, user=cast.lea)
    assert versions.current() == before


def test_a_directory_change_replaces_the_version(cast: Any) -> None:
    before = versions.current()
    cast.class_4b.name = "4e B bis"
    cast.class_4b.save(update_fields=["name"])
    assert versions.current() != before


def test_cached_reads_keep_none(cast: Any) -> None:
    calls = []

    def compute() -> None:
        calls.append(1)

    version = versions.current()
    assert versions.cached("probe", version, compute) is None
    assert versions.cached("probe", version, compute) is None
    assert len(calls) == 1


def test_the_last_membership_closed_dates_the_departure(cast: Any) -> None:
    # Jade belongs to the collège only: closing it closes her account and dates her departure,
    # from which the three months before deletion are counted; reopening it clears the date.
    membership = Membership.objects.get(person=cast.jade, establishment=cast.moulin)
    head = Actor(cast.principal_moulin)
    actions.do_deactivate_membership(actor=head, establishment=cast.moulin, membership=membership)
    cast.jade.refresh_from_db()
    assert not cast.jade.is_active and cast.jade.left_at is not None
    actions.do_reactivate_membership(actor=head, establishment=cast.moulin, membership=membership)
    cast.jade.refresh_from_db()
    assert cast.jade.is_active and cast.jade.left_at is None


def test_a_membership_elsewhere_keeps_the_account(cast: Any) -> None:
    membership = Membership.objects.get(person=cast.sophie, establishment=cast.moulin)
    actions.do_deactivate_membership(
        actor=Actor(cast.principal_moulin), establishment=cast.moulin, membership=membership
    )
    cast.sophie.refresh_from_db()
    assert cast.sophie.is_active and cast.sophie.left_at is None
