"""What the meeting tests start from: an evening for 4e B (and 3e A) in a week, with the
booking window open now, M. Bernard's and Mme Garcia's ranges opened, fixed public ids for
the isolation tests, and a second guardian of Léa's."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from preau.directory.models import Guardianship, Membership, Profile, SchoolYear
from preau.meetings import actions
from preau.meetings.models import Availability, Booking, Campaign, Slot
from preau.timetable.generation import PARIS

User = get_user_model()

CAMPAIGN_ID = uuid.UUID("6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f000001")
RANGE_ID = uuid.UUID("6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f000002")
SLOT_ID = uuid.UUID("6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f000003")
BOOKING_ID = uuid.UUID("6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f000004")


def evening(days: int = 7) -> date:
    """A weekday ``days`` or a little more from today."""
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def paris(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=PARIS)


def at(moment: datetime) -> Any:
    """Travel to a moment (the clock stands still)."""
    return time_machine.travel(moment, tick=False)


def make_campaign(cast: Any, *, classes: list[Any] | None = None, **options: Any) -> Campaign:
    """17:00-19:00 in a week, 10-minute slots; bookings open since yesterday, closing at noon
    the day before; cancellations until 18:00 the day before. Fixed public id."""
    day = options.pop("day", evening())
    values = {
        "title": "Rencontres parents-professeurs de 4e",
        "day": day,
        "start_time": time(17),
        "end_time": time(19),
        "slot_minutes": 10,
        "booking_opens_at": timezone.now() - timedelta(days=1),
        "booking_closes_at": paris(day - timedelta(days=1), "12:00"),
        "cancellation_deadline": paris(day - timedelta(days=1), "18:00"),
        **options,
    }
    campaign = actions.do_create_campaign(
        actor=cast.principal_moulin,
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        classes=classes or [cast.class_4b],
        **values,
    )
    Campaign.objects.filter(pk=campaign.pk).update(public_id=CAMPAIGN_ID)
    campaign.refresh_from_db()
    return campaign


def open_range(
    cast: Any, campaign: Campaign, host: str, start: str, end: str, room: str = ""
) -> Availability:
    return actions.do_open_availability(
        actor=getattr(cast, host),
        campaign=campaign,
        start_time=time.fromisoformat(start),
        end_time=time.fromisoformat(end),
        room=room,
    )


def slot_at(campaign: Campaign, host: Any, clock: str) -> Slot:
    day = timezone.localtime(campaign.starts_at).date()
    return Slot.objects.get(campaign=campaign, host=host, starts_at=paris(day, clock))


def evening_with_ranges(cast: Any) -> Campaign:
    """The campaign, with M. Bernard (17:00-18:00, B12) and Mme Garcia (17:00-18:30, A03)
    open; M. Bernard's range and his 17:00 slot have fixed ids."""
    campaign = make_campaign(cast)
    bernard = open_range(cast, campaign, "bernard", "17:00", "18:00", "B12")
    Availability.objects.filter(pk=bernard.pk).update(public_id=RANGE_ID)
    open_range(cast, campaign, "garcia", "17:00", "18:30", "A03")
    Slot.objects.filter(pk=slot_at(campaign, cast.bernard, "17:00").pk).update(public_id=SLOT_ID)
    return campaign


def booked_evening(cast: Any) -> Booking:
    """The evening, with Sophie's meeting with M. Bernard at 17:00 about Léa (fixed id)."""
    campaign = evening_with_ranges(cast)
    booking = actions.do_book(
        actor=cast.sophie,
        campaign=campaign,
        slot=slot_at(campaign, cast.bernard, "17:00"),
        student=cast.lea,
    )
    Booking.objects.filter(pk=booking.pk).update(public_id=BOOKING_ID)
    booking.refresh_from_db()
    return booking


def second_guardian_of_lea(cast: Any) -> Any:
    """Léa's father, a guardian at the collège."""
    father, _created = User.objects.get_or_create(
        username="parent.paul", defaults={"first_name": "Paul", "last_name": "Martin"}
    )
    Guardianship.objects.get_or_create(guardian=father, student=cast.lea)
    Membership.objects.get_or_create(
        person=father,
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        profile=Profile.GUARDIAN,
    )
    return father
