"""The timetable's home panel and its agenda layer."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.calendar.ical import Occurrence
from preau.portal.panel_cache import cached_panel
from preau.timetable import policies
from preau.timetable.models import LessonStatus

if TYPE_CHECKING:
    from preau.calendar.layers import AgendaQuery
    from preau.core.actor import Actor, Child


def _timetable(actor: Actor, child: Child | None) -> policies.Timetable | None:
    if child is not None:
        return policies.child_timetable(actor, child)
    return policies.own_timetable(actor)


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """Today's lessons, with their changes, or the next school day's (2 queries)."""
    timetable = _timetable(actor, child)
    if timetable is None:
        return None

    def compute() -> tuple[dict[str, Any] | None, Any]:
        now = timezone.now()
        today = timezone.localdate()
        # The rest of today, else the next week's first day with lessons.
        lessons = policies.lessons_between(timetable, today, today + timedelta(days=8))
        todays = [lesson for lesson in lessons if lesson.date == today]
        if todays and any(lesson.end > now for lesson in todays):
            day, shown = today, todays
        else:
            later = [lesson for lesson in lessons if lesson.date > today]
            day = later[0].date if later else None
            shown = [lesson for lesson in later if lesson.date == day]
        upcoming = [lesson for lesson in shown if lesson.end > now]
        following = next(
            (x for x in upcoming if x.start > now and x.status != LessonStatus.CANCELLED), None
        )
        until = min([x.end for x in upcoming], default=now + timedelta(hours=1))
        return {
            "day": day,
            "is_today": day == today,
            "lessons": shown,
            "next_lesson": following,
            "child": child,
        }, until

    return cached_panel(actor, child, "timetable", compute, "timetable/panel.html")


def lesson_layer(query: AgendaQuery) -> list[Occurrence]:
    """The lessons in the agenda (2 queries): the actor's own, or the selected child's."""
    timetable = _timetable(query.actor, query.child)
    if timetable is None:
        return []
    found = []
    for lesson in policies.lessons_between(timetable, query.start, query.end):
        title = str(lesson.subject)
        if lesson.status == LessonStatus.CANCELLED:
            title = _("Annulé : %s") % title
        elif lesson.is_changed:
            title = _("Modifié : %s") % title
        found.append(
            Occurrence(
                start=lesson.start,
                end=lesson.end,
                all_day=False,
                title=title,
                location=lesson.room,
                url=reverse("timetable:lesson", kwargs={"public_id": lesson.public_id}),
                source=str(lesson.audience),
                kind="lesson",
            )
        )
    return found
