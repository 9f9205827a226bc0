"""The grades' home panel « Dernières notes »: a student's (or a guardian's child's) five most
recent published marks.

Kept rendered until a mark of theirs changes after publication (``forget_panels``), until the
next publication time of one of their assessments (``until``: marks appear then without any
write), and at most five minutes. One query: the next publication time rides on the latest
marks' rows, so a student with no published mark yet waits at most those five minutes for
the panel to show the first one (the « Notes » page shows it at once).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Min, Subquery
from django.utils import timezone

from preau.grades.models import Mark
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

SHOWN = 5


def panel_data(actor: Actor, child: Child | None) -> tuple[dict[str, Any] | None, datetime | None]:
    """One query: the latest published marks, each carrying the next publication to come."""
    if actor.home_kind == "guardian":
        if child is None:
            return None, None
        student_id = child.student.pk
    elif actor.home_kind == "student":
        student_id = actor.user.pk
    else:
        return None, None
    now = timezone.now()
    marks = Mark.objects.filter(student_id=student_id, assessment__school_year=actor.school_year)
    upcoming = (
        marks.filter(assessment__publish_at__gt=now)
        .order_by()
        .values("student_id")
        .annotate(at=Min("assessment__publish_at"))
        .values("at")
    )
    latest = list(
        marks.filter(assessment__publish_at__lte=now, assessment__graded=True)
        .annotate(next_publication=Subquery(upcoming))
        .select_related("assessment__subject")
        .order_by("-assessment__publish_at", "-assessment__date", "-pk")[:SHOWN]
    )
    if not latest:
        return None, None
    return {"marks": latest, "child": child}, latest[0].next_publication


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    return cached_panel(
        actor, child, "grades", lambda: panel_data(actor, child), "grades/panel.html"
    )
