"""Reading the logbook: workload of a class, homework lists, review state of entries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet

from preau.logbook.models import Homework, HomeworkDone, HomeworkKind, LogbookSettings, Visa


def thresholds(establishment: Any) -> LogbookSettings:
    """The establishment's workload thresholds, or the defaults when never set (1 query)."""
    return LogbookSettings.objects.filter(establishment=establishment).first() or LogbookSettings(
        establishment=establishment
    )


@dataclass
class DayLoad:
    day: date
    tests: int = 0
    written: int = 0
    minutes: int = 0
    items: list[Homework] = field(default_factory=list)
    over: bool = False

    def add(self, homework: Homework) -> None:
        self.items.append(homework)
        self.minutes += homework.minutes
        if homework.kind == HomeworkKind.TEST:
            self.tests += 1
        elif homework.kind in (HomeworkKind.WRITTEN, HomeworkKind.HAND_IN):
            self.written += 1

    def judge(self, limits: LogbookSettings) -> DayLoad:
        self.over = self.tests > limits.max_tests_per_day or (
            self.minutes > limits.max_minutes_per_day
        )
        return self


def audience_homework(school_class_id: int | None, group_id: int | None) -> QuerySet[Homework]:
    if school_class_id:
        return Homework.objects.filter(school_class_id=school_class_id)
    return Homework.objects.filter(group_id=group_id)


def workload(school_class: Any, first: date, last: date, limits: LogbookSettings) -> list[DayLoad]:
    """The class's load for each day of [first, last], by due date (1 query)."""
    days = {
        first + timedelta(days=i): DayLoad(first + timedelta(days=i))
        for i in range((last - first).days + 1)
    }
    for homework in (
        audience_homework(school_class.pk, None)
        .filter(due_date__gte=first, due_date__lte=last)
        .select_related("subject")
    ):
        days[homework.due_date].add(homework)
    return [load.judge(limits) for load in days.values()]


def day_load_with(
    school_class_id: int | None,
    group_id: int | None,
    day: date,
    kind: str,
    minutes: int,
    limits: LogbookSettings,
    replacing: Homework | None = None,
) -> DayLoad:
    """The load of ``day`` for the audience if a homework of ``kind`` and ``minutes`` were
    added, or replaced ``replacing`` (1 query): what the teacher is warned about before
    confirming."""
    load = DayLoad(day)
    others = audience_homework(school_class_id, group_id).filter(due_date=day)
    if replacing is not None:
        others = others.exclude(pk=replacing.pk)
    for homework in others:
        load.add(homework)
    load.add(Homework(kind=kind, minutes=minutes))
    load.items.pop()
    return load.judge(limits)


def done_ids(student: Any, homework_ids: list[int]) -> set[int]:
    """Which of these homework the student ticked done (1 query)."""
    if not homework_ids:
        return set()
    return set(
        HomeworkDone.objects.filter(student=student, homework_id__in=homework_ids).values_list(
            "homework_id", flat=True
        )
    )


def done_counts(homework_ids: list[int]) -> dict[int, int]:
    """How many students ticked each homework: the aggregate a teacher sees (1 query)."""
    if not homework_ids:
        return {}
    rows = (
        HomeworkDone.objects.filter(homework_id__in=homework_ids)
        .values("homework_id")
        .annotate(count=Count("id"))
    )
    return {row["homework_id"]: row["count"] for row in rows}


def class_visas(school_class_ids: list[int]) -> dict[int, list[Visa]]:
    """The visas of these classes, newest first (1 query)."""
    found: dict[int, list[Visa]] = defaultdict(list)
    for visa in Visa.objects.filter(school_class_id__in=school_class_ids).select_related(
        "signed_by"
    ):
        found[visa.school_class_id].append(visa)
    return found


def is_reviewed(entry: Any, visas: list[Visa]) -> bool:
    """Whether a visa signed after the entry's last change covers its lesson's day."""
    day = entry.lesson.date
    return any(
        v.period_start <= day <= v.period_end and v.signed_at >= entry.updated_at for v in visas
    )


def upcoming(homework: QuerySet[Homework], today: date, show: str) -> QuerySet[Homework]:
    """Homework due from today on; ``show`` filters on the student's done marks ('done',
    'undone' or anything else for all) through ``done`` annotated by the caller."""
    homework = homework.filter(due_date__gte=today)
    if show == "done":
        return homework.filter(is_done=True)
    if show == "undone":
        return homework.filter(is_done=False)
    return homework
