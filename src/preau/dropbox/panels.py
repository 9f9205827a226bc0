"""The drop box dashboard panel: what is due for a student, new work for a teacher, a child's
upcoming and missing hand-ins for a guardian."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from preau.dropbox import policies, selectors
from preau.portal.panel_cache import cached_panel, panel_establishment

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 5
DUE_SOON = timedelta(days=14)
RELATED = ("school_class", "group", "subject")


def _student(actor: Actor) -> dict[str, Any] | None:
    """Open drop boxes due in the next two weeks, soonest first (1 query)."""
    now = timezone.now()
    boxes = selectors.with_own_status(
        policies.student_drop_boxes(actor).filter(
            closed_at__isnull=True, deadline__gt=now, deadline__lte=now + DUE_SOON
        ),
        actor.user,
    )
    due = selectors.label_statuses(
        list(boxes.select_related(*RELATED).order_by("deadline")[:PANEL_SIZE])
    )
    return {"kind": "student", "boxes": due} if due else None


def _teacher(actor: Actor) -> dict[str, Any] | None:
    """The teacher's drop boxes with hand-ins since they last looked (1 query)."""
    boxes = (
        selectors.with_counts(policies.teacher_drop_boxes(actor))
        .filter(new_hand_ins__gt=0)
        .select_related(*RELATED)
        .order_by("deadline")[:PANEL_SIZE]
    )
    boxes = list(boxes)
    return {"kind": "teacher", "boxes": boxes} if boxes else None


def _guardian(actor: Actor, child: Child) -> dict[str, Any] | None:
    """The child's hand-ins still to do and those missing, soonest first (1 query)."""
    now = timezone.now()
    boxes = selectors.with_own_status(
        policies.child_drop_boxes(actor, child).filter(
            Q(deadline__gt=now, deadline__lte=now + DUE_SOON) | Q(deadline__lte=now)
        ),
        child.student,
    ).filter(own_submitted_at__isnull=True, own_returned_at__isnull=True)
    rows = selectors.label_statuses(
        list(boxes.select_related(*RELATED).order_by("-deadline")[: PANEL_SIZE * 2])
    )
    upcoming = sorted((b for b in rows if b.status == "pending"), key=lambda b: b.deadline)
    missing = [b for b in rows if b.status == "missing"]
    if not (upcoming or missing):
        return None
    return {
        "kind": "guardian",
        "child": child.student,
        "upcoming": upcoming[:PANEL_SIZE],
        "missing": missing[:PANEL_SIZE],
    }


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    kind = actor.home_kind
    if kind not in ("student", "teacher", "guardian") or (kind == "guardian" and child is None):
        return None
    establishment_id = panel_establishment(actor, child)
    if establishment_id is None:
        return None

    def compute() -> tuple[dict[str, Any] | None, Any]:
        if kind == "student":
            context = _student(actor)
        elif kind == "teacher":
            context = _teacher(actor)
        else:
            context = _guardian(actor, child)
        return context, selectors.next_change(establishment_id)

    # Kept until a drop box of the establishment changes, the person's hand-ins change, or a
    # drop box opens or reaches its deadline.
    return cached_panel(actor, child, "dropbox", compute, "dropbox/panel.html")
