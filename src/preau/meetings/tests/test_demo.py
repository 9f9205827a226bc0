"""The demo's meetings: built once however often the demo runs, on a weekday evening two weeks
or so ahead, with the teachers' slots open and Léa's and Noah's families free to book."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from preau.directory.models import SchoolYear
from preau.meetings import demo
from preau.meetings.models import Availability, Booking, Campaign, Slot

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Campaign, Availability, Slot, Booking))


def test_the_meeting_day_is_a_tuesday_or_thursday_two_weeks_on() -> None:
    # Saturday 28 November 2026: two weeks on is Saturday 12 December; the evening is Tuesday 15.
    assert demo.meeting_day(date(2026, 11, 28)) == date(2026, 12, 15)
    assert demo.meeting_day(date(2026, 12, 1)) == date(2026, 12, 15)
    assert demo.meeting_day(date(2026, 12, 2)) == date(2026, 12, 17)


def test_the_demo_is_built_once(cast: Any) -> None:
    demo.build(cast)
    built = counts()
    demo.build(cast)
    assert counts() == built
    campaign = Campaign.objects.get()
    assert list(campaign.classes.all()) == [cast.class_4b]
    assert campaign.school_year == SchoolYear.current()
    starts = timezone.localtime(campaign.starts_at)
    assert starts.weekday() in (1, 3) and starts.strftime("%H:%M") == "17:00"
    assert (starts.date() - timezone.localdate()).days >= 14
    assert campaign.is_open_for_booking()
    hosts = set(Availability.objects.values_list("host__username", flat=True))
    assert {"prof.bernard", "prof.garcia", "cpe.moulin"} <= hosts
    # Bernard's whole evening: 18 slots of 10 minutes.
    assert Slot.objects.filter(host=cast.bernard).count() == 18
    assert not Booking.objects.filter(guardian__in=[cast.sophie, cast.karim]).exists()
    for row in Slot.objects.all():
        row.full_clean()
