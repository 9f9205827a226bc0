"""The meetings dashboard panel: for a guardian, the child's campaigns open for booking and the
child's next meetings; for a teacher, their schedule of the next evening.

One query reads the establishment's campaigns still to come, with whether each concerns the
child (or the teacher has slots there): it gives what is open and when the panel must change.
The meetings themselves are read only when such a campaign exists."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from preau.meetings.models import Booking, Campaign, Slot
from preau.portal.panel_cache import cached_panel, panel_establishment

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 6
MOMENTS = ("booking_opens_at", "booking_closes_at", "starts_at", "ends_at")


def _coming(establishment_id: int, concerned: Any) -> tuple[list[Campaign], datetime | None]:
    """The campaigns of the establishment not ended yet that ``concerned`` marks, and the next
    moment one of them opens, closes, starts or ends (1 query)."""
    now = timezone.now()
    campaigns = list(
        Campaign.objects.filter(establishment_id=establishment_id, ends_at__gt=now)
        .annotate(concerned=concerned)
        .order_by("starts_at", "id")
    )
    moments = [
        moment
        for campaign in campaigns
        for moment in (getattr(campaign, name) for name in MOMENTS)
        if moment > now
    ]
    return [c for c in campaigns if c.concerned], min(moments, default=None)


def _guardian(actor: Actor, child: Child, establishment_id: int) -> tuple[Any, Any]:
    """Campaigns of the child's class open for booking, and the child's next meetings
    (1 query, 2 when a campaign concerns the child)."""
    enrolment = child.enrolments[0]
    of_class = Exists(
        Campaign.classes.through.objects.filter(
            campaign=OuterRef("pk"), schoolclass_id=enrolment.school_class_id
        )
    )
    campaigns, until = _coming(establishment_id, of_class)
    if not campaigns:
        return None, until
    now = timezone.now()
    bookings = list(
        Booking.objects.filter(
            student=child.student,
            campaign__in=campaigns,
            cancelled_at__isnull=True,
            slot__ends_at__gt=now,
        )
        .select_related("slot__availability", "host", "campaign")
        .order_by("slot__starts_at")[:PANEL_SIZE]
    )
    open_now = [c for c in campaigns if c.is_open_for_booking(now)][:PANEL_SIZE]
    if not (open_now or bookings):
        return None, until
    context = {"kind": "guardian", "child": child.student, "open": open_now, "bookings": bookings}
    return context, until


def _teacher(actor: Actor, establishment_id: int) -> tuple[Any, Any]:
    """The next campaign where the teacher has slots, with their booked meetings (1 query, 2
    when there is one)."""
    hosting = Exists(Slot.objects.filter(campaign=OuterRef("pk"), host=actor.user))
    campaigns, until = _coming(establishment_id, hosting)
    if not campaigns:
        return None, until
    campaign = campaigns[0]
    bookings = list(
        Booking.objects.filter(campaign=campaign, host=actor.user, cancelled_at__isnull=True)
        .select_related("slot", "student")
        .order_by("slot__starts_at")
    )
    return {"kind": "teacher", "campaign": campaign, "bookings": bookings}, until


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    kind = actor.home_kind
    if kind not in ("teacher", "guardian") or (kind == "guardian" and not child):
        return None
    if kind == "guardian" and not child.enrolments:
        return None
    establishment_id = panel_establishment(actor, child)
    if establishment_id is None:
        return None

    def compute() -> tuple[dict[str, Any] | None, Any]:
        if kind == "teacher":
            return _teacher(actor, establishment_id)
        return _guardian(actor, child, establishment_id)

    # Kept until a campaign or a range of the establishment changes, one of the person's
    # meetings changes, or a campaign opens, closes, starts or ends.
    return cached_panel(actor, child, "meetings", compute, "meetings/panel.html")
