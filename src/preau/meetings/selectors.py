"""Reads for the meeting pages: hosts and their free slots, schedules and the bookings board.
Each function says what it costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, QuerySet

from preau.meetings import policies
from preau.meetings.models import Booking, Campaign, Slot

if TYPE_CHECKING:
    from preau.core.actor import Child


def live_bookings() -> QuerySet[Booking]:
    return Booking.objects.filter(cancelled_at__isnull=True)


def with_live_booking(slots: QuerySet[Slot]) -> QuerySet[Slot]:
    """Each slot with ``live`` (a list of at most one booking): 1 more query."""
    return slots.prefetch_related(
        Prefetch(
            "bookings",
            queryset=live_bookings().select_related("guardian", "student"),
            to_attr="live",
        )
    )


@dataclass
class HostRow:
    host: Any
    free: int = 0
    room: str = ""
    slots: list[Slot] = field(default_factory=list)


def hosts_for_child(campaign: Campaign, child: Child) -> list[HostRow]:
    """The hosts the family may meet about the child, with their count of free slots (1 query)."""
    rows = (
        policies.bookable_slots(campaign, child)
        .values("host", "host__first_name", "host__last_name", "host__public_id")
        .annotate(
            free=Count("pk", filter=~Exists(live_bookings().filter(slot=OuterRef("pk")))),
            room=Min("availability__room"),
        )
        .order_by("host__last_name", "host__first_name", "host")
    )
    hosts = []
    for row in rows:
        person = _Person(row["host__public_id"], row["host__first_name"], row["host__last_name"])
        hosts.append(HostRow(host=person, free=row["free"], room=row["room"] or ""))
    return hosts


@dataclass
class _Person:
    public_id: Any
    first_name: str
    last_name: str

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __str__(self) -> str:
        return self.get_full_name()


def host_slots_for_child(campaign: Campaign, child: Child, host_public_id: Any) -> list[Slot]:
    """One host's open slots for the child's family, each with ``live`` (2 queries)."""
    slots = (
        policies.bookable_slots(campaign, child)
        .filter(host__public_id=host_public_id)
        .select_related("host", "availability")
        .order_by("starts_at")
    )
    return list(with_live_booking(slots))


def family_schedule(actor: Any, campaign: Campaign) -> list[Booking]:
    """The family's live bookings in the campaign, in time order (1 query)."""
    return list(
        policies.family_bookings(actor, campaign)
        .select_related("slot__availability", "host", "student", "guardian")
        .order_by("slot__starts_at", "id")
    )


def host_schedule(campaign: Campaign, host: Any) -> list[Slot]:
    """Every slot of the host in the campaign, each with ``live`` (2 queries)."""
    slots = (
        Slot.objects.filter(campaign=campaign, host=host)
        .select_related("availability")
        .order_by("starts_at")
    )
    return list(with_live_booking(slots))


@dataclass
class BoardRow:
    host: Any
    slots: list[Slot]
    booked: int
    room: str


def board(campaign: Campaign) -> list[BoardRow]:
    """Every host's slots and bookings, by host name (2 queries)."""
    slots = with_live_booking(
        Slot.objects.filter(campaign=campaign)
        .select_related("host", "availability")
        .order_by("host__last_name", "host__first_name", "host_id", "starts_at")
    )
    rows: dict[int, BoardRow] = {}
    for slot in slots:
        row = rows.get(slot.host_id)
        if row is None:
            row = rows[slot.host_id] = BoardRow(slot.host, [], 0, slot.availability.room)
        row.slots.append(slot)
        row.booked += bool(slot.live)
    return list(rows.values())
