"""Bookings under real concurrency, on PostgreSQL (CI's database): families submitting at the
same instant, each request in its own thread, connection and transaction.

The test's own transaction (the ``django_db`` mark) stays empty: threads cannot see it. The
evening is created and removed by a thread of its own, committed, and every race runs in
threads. On SQLite, transactions begin IMMEDIATE and writers never overlap; the same rules are
tested there one request after the other (test_meetings.py)."""

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

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency is tested on PostgreSQL"
    ),
    pytest.mark.django_db,
]


def in_thread(work: Callable[[], Any]) -> Any:
    """``work()`` in a thread of its own: its own connection, committing as it goes."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return result[0]


def _evening() -> tuple[Cast, Campaign]:
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
    for host in ("bernard", "garcia"):
        actions.do_open_availability(
            actor=getattr(cast, host), campaign=campaign, start_time=time(17), end_time=time(18)
        )
    return cast, campaign


@pytest.fixture
def committed() -> Iterator[tuple[Cast, Campaign]]:
    """A committed 4e B evening with M. Bernard's and Mme Garcia's slots, removed afterwards."""
    cast, campaign = in_thread(_evening)
    try:
        yield cast, campaign
    finally:
        in_thread(campaign.delete)
        assert not in_thread(Availability.objects.filter(campaign_id=campaign.pk).exists)


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


def live(slot: Slot) -> int:
    return in_thread(Booking.objects.filter(slot=slot, cancelled_at__isnull=True).count)


def free_everyone(campaign: Campaign) -> None:
    """Cancel every booking, for the next round."""
    in_thread(lambda: Booking.objects.filter(campaign=campaign).update(cancelled_at=timezone.now()))


def test_two_families_race_for_one_slot(committed: tuple[Cast, Campaign]) -> None:
    cast, campaign = committed
    for clock in ("17:00", "17:10", "17:20", "17:30", "17:40", "17:50"):
        slot = in_thread(lambda clock=clock: slot_at(campaign, cast.bernard, clock))
        results = race(
            booker(cast, campaign, "sophie", "lea", slot),
            booker(cast, campaign, "karim", "noah", slot),
        )
        won = [r for r in results if isinstance(r, Booking)]
        lost = [r for r in results if isinstance(r, str)]
        assert len(won) == 1 and len(lost) == 1, results
        assert lost[0].startswith("Ce créneau vient d'être réservé par une autre famille")
        assert live(slot) == 1
        free_everyone(campaign)


def test_one_guardian_races_against_themselves(committed: tuple[Cast, Campaign]) -> None:
    """Two tabs of Sophie's, at the same time, with two teachers: never two meetings at once."""
    cast, campaign = committed
    for clock in ("17:00", "17:10", "17:20"):
        bernard, garcia = in_thread(
            lambda clock=clock: (
                slot_at(campaign, cast.bernard, clock),
                slot_at(campaign, cast.garcia, clock),
            )
        )
        results = race(
            booker(cast, campaign, "sophie", "lea", bernard),
            booker(cast, campaign, "sophie", "lea", garcia),
        )
        won = [r for r in results if isinstance(r, Booking)]
        lost = [r for r in results if isinstance(r, str)]
        assert len(won) == 1 and len(lost) == 1, results
        assert lost[0].startswith("Ce créneau chevauche votre rendez-vous de " + clock)
        free_everyone(campaign)


def test_many_families_one_slot(committed: tuple[Cast, Campaign]) -> None:
    """Eight requests for one slot (four from each family): one booking."""
    cast, campaign = committed
    slot = in_thread(lambda: slot_at(campaign, cast.garcia, "17:30"))
    attempts = [
        booker(cast, campaign, guardian, child, slot)
        for guardian, child in [("sophie", "lea"), ("karim", "noah")] * 4
    ]
    results = race(*attempts)
    assert sum(isinstance(r, Booking) for r in results) == 1, results
    assert in_thread(Booking.objects.filter(slot=slot).count) == 1
