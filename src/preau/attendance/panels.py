"""The attendance's home panel: the roll calls to take now (teachers), the absences to justify
(guardians), the roll calls missing and the justifications to review (school life).

Kept rendered until a roll call, a record or a justification changes (``forget_panels`` for the
people concerned, the ``attendance`` scope of the establishment for school life), and at most
five minutes (``MAX_AGE``), which is how late a lesson that has just begun may show.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from preau.attendance import policies, selectors
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child


def panel_data(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    now = timezone.now()
    today = timezone.localdate()
    if actor.establishment is not None and policies.runs_school_life(actor):
        return {"kind": "office", **selectors.office_counts(actor.establishment.pk, today, now)}
    if actor.home_kind == "teacher":
        # One query: this week's lessons begun (or opening within the quarter of an hour)
        # without roll call; those not over yet are to take now.
        begun = list(
            selectors.missing_roll_calls(
                establishment_id=actor.establishment.pk,
                since=selectors.week_start(today),
                now=now,
                started_before=now + policies.EARLY,
                teacher_id=actor.user.pk,
            ).prefetch_related(None)
        )
        lessons = [lesson for lesson in begun if lesson.end > now]
        if not begun:
            return None
        return {"kind": "teacher", "lessons": lessons, "missing": len(begun) - len(lessons)}
    if actor.home_kind == "guardian" and actor.children:
        pending = list(selectors.to_justify(actor, child)[:5])
        if not pending:
            return None
        return {"kind": "guardian", "records": pending, "child": child}
    return None


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    def compute() -> tuple[dict[str, Any] | None, datetime | None]:
        return panel_data(actor, child), None

    return cached_panel(actor, child, "attendance", compute, "attendance/panel.html")
