"""Bookings under real concurrency, on PostgreSQL (CI's database): families submitting at the
same instant, each request in its own connection and transaction.

These tests commit (the threads cannot see a test's open transaction), so they run outside the
per-test transaction and remove what they created. On SQLite, transactions begin IMMEDIATE and
writers never overlap; the same rules are tested there one request after the other
(test_meetings.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import time, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from preau.demo.cast import Cast
from preau.directory.models import SchoolYear
from preau.meetings import actions
from preau.meetings.actions import MeetingRefused
from preau.meetings.models import Availability, Booking, Campaign, Slot
from preau.meetings.tests.helpers import evening, paris, slot_at

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency is tested on PostgreSQL"
)


@pytest.fixture
def committed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[Cast, Campaign]]:
    """A committed 4e B evening with M. Bernard's and Mme Garcia's slots, removed afterwards.
    Asks for the test database (django_db_setup): these tests use no per-test transaction."""
    with django_db_blocker.unblock():
        cast = Cast.load()
        day = evening()
        campaign = Campaign.objects.create(
            establishment=cast.moulin,
            school_year=SchoolYear.current(),
            title="Course aux créneaux",
            starts_at=paris(day, "17:00"),
            ends_at=paris(day, "19:00"),
            slot_minutes=10,
            booking_opens_at=timezone.now() - timedelta(days=1),
            booking_closes_at=paris(day - timedelta(days=1), "12:00"),
            cancellation_deadline=paris(day - timedelta(days=1), "18:00"),
        )
        campaign.classes.set([cast.class_4b])
        try:
            for host in ("bernard", "garcia"):
                actions.do_open_availability(
                    actor=getattr(cast, host),
                    campaign=campaign,
                    start_time=time(17),
                    end_time=time(18),
                )
            yield cast, campaign
        finally:
            campaign.delete()
            assert not Availability.objects.filter(campaign_id=campaign.pk).exists()


def race(*attempts: Callable[[], Any]) -> list[Any]:
    """Run the attempts at the same instant, each in its own thread and connection; return
    each one's booking or refusal message."""
    barrier = threading.Barrier(len(attempts))
    results: list[Any] = [None] * len(attempts)

    def run(index: int, attempt: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = attempt()
        except MeetingRefused as refusal:
            results[index] = refusal.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def booker(cast: Cast, campaign: Campaign, guardian: str, child: str, slot: Slot) -> Callable:
    def attempt() -> Booking:
        return actions.do_book(
            actor=getattr(cast, guardian),
            campaign=campaign,
            slot=slot,
            student=getattr(cast, child),
        )

    return attempt


def test_two_families_race_for_one_slot(
    committed: tuple[Cast, Campaign], django_db_blocker: Any
) -> None:
    cast, campaign = committed
    with django_db_blocker.unblock():
        for clock in ("17:00", "17:10", "17:20", "17:30", "17:40", "17:50"):
            slot = slot_at(campaign, cast.bernard, clock)
            results = race(
                booker(cast, campaign, "sophie", "lea", slot),
                booker(cast, campaign, "karim", "noah", slot),
            )
            won = [r for r in results if isinstance(r, Booking)]
            lost = [r for r in results if isinstance(r, str)]
            assert len(won) == 1 and len(lost) == 1, results
            assert lost[0].startswith("Ce créneau vient d'être réservé par une autre famille")
            assert Booking.objects.filter(slot=slot, cancelled_at__isnull=True).count() == 1
            # Free both families for the next round.
            Booking.objects.filter(campaign=campaign).update(cancelled_at=timezone.now())


def test_one_guardian_races_against_themselves(
    committed: tuple[Cast, Campaign], django_db_blocker: Any
) -> None:
    """Two tabs of Sophie's, at the same time, with two teachers: never two meetings at once."""
    cast, campaign = committed
    with django_db_blocker.unblock():
        for clock in ("17:00", "17:10", "17:20"):
            results = race(
                booker(cast, campaign, "sophie", "lea", slot_at(campaign, cast.bernard, clock)),
                booker(cast, campaign, "sophie", "lea", slot_at(campaign, cast.garcia, clock)),
            )
            won = [r for r in results if isinstance(r, Booking)]
            lost = [r for r in results if isinstance(r, str)]
            assert len(won) == 1 and len(lost) == 1, results
            assert lost[0].startswith("Ce créneau chevauche votre rendez-vous de " + clock)
            Booking.objects.filter(campaign=campaign).update(cancelled_at=timezone.now())


def test_many_families_one_slot(committed: tuple[Cast, Campaign], django_db_blocker: Any) -> None:
    """Eight requests for one slot (four from each family): one booking."""
    cast, campaign = committed
    with django_db_blocker.unblock():
        slot = slot_at(campaign, cast.garcia, "17:30")
        attempts = [
            booker(cast, campaign, guardian, child, slot)
            for guardian, child in [("sophie", "lea"), ("karim", "noah")] * 4
        ]
        results = race(*attempts)
        assert sum(isinstance(r, Booking) for r in results) == 1, results
        assert Booking.objects.filter(slot=slot).count() == 1
