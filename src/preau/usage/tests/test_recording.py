"""Recording: a page of a signed-in person is counted in memory and written at the flush."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.directory.models import Profile
from preau.usage import recorder
from preau.usage.models import DailyVisitor, VisitCount
from preau.usage.nomenclature import BITS, GUARDIAN, STAFF, STUDENT, TEACHER, profile_of

pytestmark = pytest.mark.django_db


def test_a_page_is_counted_without_a_write_until_the_flush(client: Any, cast: Any) -> None:
    client.force_login(cast.lea)
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get(reverse("portal:home")).status_code == 200
    assert not VisitCount.objects.exists() and not DailyVisitor.objects.exists()
    assert recorder.flush() == 2  # one count row, one visitor
    count = VisitCount.objects.get()
    assert (count.service, count.profile, count.visits) == ("Page_ENT", STUDENT, 2)
    assert count.establishment == cast.moulin and count.day == timezone.localdate()
    visitor = DailyVisitor.objects.get()
    assert (visitor.person, visitor.profile, visitor.services) == (
        cast.lea,
        STUDENT,
        BITS["Page_ENT"],
    )


def test_a_second_service_sets_its_bit_on_the_same_row(client: Any, cast: Any) -> None:
    client.force_login(cast.lea)
    client.get(reverse("portal:home"))
    recorder.flush()
    client.get(reverse("messaging:inbox"))
    client.get(reverse("portal:home"))
    recorder.flush()
    visitor = DailyVisitor.objects.get()
    assert visitor.services == BITS["Page_ENT"] | BITS["Courrier_Electronique"]
    assert sum(VisitCount.objects.values_list("visits", flat=True)) == 3


def test_fragments_anonymous_visitors_and_errors_are_not_counted(client: Any, cast: Any) -> None:
    client.get(reverse("portal:home"))  # anonymous: redirected to log in
    client.force_login(cast.lea)
    client.get(reverse("portal:home"), headers={"HX-Request": "true"})
    client.get("/news/does-not-exist/")
    assert recorder.flush() == 0


def test_the_flush_keeps_counts_when_the_database_refuses(
    client: Any, cast: Any, monkeypatch: Any
) -> None:
    from django.db import DatabaseError

    client.force_login(cast.lea)
    client.get(reverse("portal:home"))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("locked")

    monkeypatch.setattr(VisitCount.objects, "bulk_create", refuse)
    assert recorder.flush() == 0
    monkeypatch.undo()
    assert recorder.flush() == 2
    assert VisitCount.objects.get().visits == 1


def test_profiles_follow_the_home_page_precedence() -> None:
    assert profile_of({Profile.STUDENT}) == STUDENT
    assert profile_of({Profile.GUARDIAN, Profile.TEACHER}) == TEACHER
    assert profile_of({Profile.DIRECTION}) == STAFF
    assert profile_of({Profile.GUARDIAN}) == GUARDIAN
    assert profile_of(set()) == "other"
