"""The meetings dashboard panel: for a guardian, the child's campaign open for booking and the
family's next meetings; for a teacher, their schedule of the next evening."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from preau.meetings import policies, selectors
from preau.meetings.models import Booking, Campaign
from preau.portal.panel_cache import cached_panel, panel_establishment

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 6


def _guardian(actor: Actor, child: Child) -> dict[str, Any] | None:
    """Campaigns of the child's class open for booking, and the child's next meetings
    (2 queries)."""
    now = timezone.now()
    campaigns = list(
        policies.child_campaigns(actor, child)
        .filter(booking_opens_at__lte=now, booking_closes_at__gt=now)
        .order_by("starts_at")[:PANEL_SIZE]
    )
    bookings = list(
        Booking.objects.filter(
            student=child.student, cancelled_at__isnull=True, slot__ends_at__gt=now
        )
        .select_related("slot__availability", "host", "campaign")
        .order_by("slot__starts_at")[:PANEL_SIZE]
    )
    if not (campaigns or bookings):
        return None
    return {"kind": "guardian", "child": child.student, "open": campaigns, "bookings": bookings}


def _teacher(actor: Actor) -> dict[str, Any] | None:
    """The next campaign where the teacher has slots, with their booked meetings (2 queries)."""
    now = timezone.now()
    campaign = (
        Campaign.objects.filter(
            establishment=actor.establishment,
            ends_at__gt=now,
            slots__host=actor.user,
        )
        .order_by("starts_at")
        .first()
    )
    if campaign is None:
        return None
    bookings = list(
        Booking.objects.filter(campaign=campaign, host=actor.user, cancelled_at__isnull=True)
        .select_related("slot", "student")
        .order_by("slot__starts_at")
    )
    return {"kind": "teacher", "campaign": campaign, "bookings": bookings}


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    kind = actor.home_kind
    if kind not in ("teacher", "guardian") or (kind == "guardian" and child is None):
        return None
    establishment_id = panel_establishment(actor, child)
    if establishment_id is None:
        return None

    def compute() -> tuple[dict[str, Any] | None, Any]:
        context = _teacher(actor) if kind == "teacher" else _guardian(actor, child)
        return context, selectors.next_change(establishment_id)

    # Kept until a campaign or a range of the establishment changes, one of the person's
    # meetings changes, or a campaign opens, closes, starts or ends.
    return cached_panel(actor, child, "meetings", compute, "meetings/panel.html")
