"""The logbook's home panels: homework due soon (students, guardians per child) and, for a
teacher, today's lessons without an entry. Kept rendered until the establishment's logbook
changes (scope ``logbook``), the student ticks a homework, or midnight."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from preau.logbook import policies
from preau.logbook.models import Entry, Homework, HomeworkDone
from preau.portal.panel_cache import cached_panel
from preau.timetable.generation import PARIS
from preau.timetable.policies import is_lesson_teacher, teacher_lessons

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

DAYS_AHEAD = 14
PANEL_SIZE = 10


def _midnight() -> datetime:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=PARIS)


def due_soon(actor: Actor, child: Child | None) -> list[Homework]:
    """Homework due from today to two weeks ahead, with the student's done mark (1 query)."""
    timetable = policies.reader_timetable(actor, child)
    if timetable is None:
        return []
    student = child.student if child is not None else actor.user
    today = timezone.localdate()
    return list(
        Homework.objects.filter(
            lesson__in=policies.timetable_lessons(timetable),
            due_date__gte=today,
            due_date__lte=today + timedelta(days=DAYS_AHEAD),
        )
        .annotate(
            is_done=Exists(HomeworkDone.objects.filter(homework=OuterRef("pk"), student=student))
        )
        .select_related("subject")
        .order_by("due_date", "subject__label", "id")[:PANEL_SIZE]
    )


def lessons_without_entry(actor: Actor) -> list[Any]:
    """The teacher's lessons of today that have no entry yet (cancelled ones left out)."""
    lessons = [
        lesson
        for lesson in teacher_lessons(actor, timezone.localdate())
        if not lesson.is_cancelled and is_lesson_teacher(actor, lesson)
    ]
    written = set(
        Entry.objects.filter(lesson_id__in=[lesson.pk for lesson in lessons]).values_list(
            "lesson_id", flat=True
        )
    )
    return [lesson for lesson in lessons if lesson.pk not in written]


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    kind = actor.home_kind
    if kind not in ("student", "guardian", "teacher"):
        return None
    if kind == "guardian" and child is None:
        return None

    def compute() -> tuple[dict[str, Any] | None, Any]:
        if kind == "teacher":
            lessons = lessons_without_entry(actor)
            return ({"lessons": lessons, "teacher": True} if lessons else None), _midnight()
        items = due_soon(actor, child)
        context = {"homework": items, "child": child, "can_tick": kind == "student"}
        return (context if items else None), _midnight()

    return cached_panel(actor, child, "logbook", compute, "logbook/panel.html")
