"""Reads of the attendance: a lesson's students and marks, a teacher's day, the lists of the
school life office. Each runs a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from preau.attendance import policies
from preau.attendance.halfdays import PARIS
from preau.attendance.models import (
    AttendanceRecord,
    Justification,
    RecordKind,
    RecordStatus,
    RollCall,
)
from preau.directory.models import Enrolment, Establishment, GroupMembership
from preau.timetable.models import Lesson, LessonStatus
from preau.timetable.policies import LESSON_RELATED, teacher_lessons

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

User = get_user_model()


def lesson_students(lesson: Lesson) -> list[Any]:
    """The students of a lesson's class or group, by name (1 query)."""
    if lesson.school_class_id is not None:
        ids = Enrolment.objects.filter(
            school_class_id=lesson.school_class_id, school_year_id=lesson.school_year_id
        ).values("student_id")
    else:
        ids = GroupMembership.objects.filter(group_id=lesson.group_id).values("student_id")
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .only("pk", "public_id", "first_name", "last_name")
        .order_by("last_name", "first_name", "pk")
    )


def covering_absences(lesson: Lesson, student_ids: list[int]) -> dict[int, AttendanceRecord]:
    """Absences entered by school life that cover the lesson, by student (1 query)."""
    found = AttendanceRecord.objects.filter(
        establishment_id=lesson.establishment_id,
        student_id__in=student_ids,
        kind=RecordKind.ABSENCE,
        roll_call__isnull=True,
        start__lt=lesson.end,
        end__gt=lesson.start,
    )
    return {record.student_id: record for record in found}


@dataclass
class Mark:
    student: Any
    state: str  # present, absent, late
    minutes: int | None
    covered: AttendanceRecord | None


def roll_call_marks(lesson: Lesson) -> tuple[RollCall | None, list[Mark]]:
    """The roll call of a lesson (None when not taken) and each student's mark: 4 queries."""
    roll_call = (
        RollCall.objects.filter(lesson=lesson).select_related("taken_by", "updated_by").first()
    )
    students = lesson_students(lesson)
    ids = [s.pk for s in students]
    covered = covering_absences(lesson, ids)
    records: dict[int, AttendanceRecord] = {}
    if roll_call is not None:
        records = {r.student_id: r for r in AttendanceRecord.objects.filter(roll_call=roll_call)}
    marks = []
    for student in students:
        record = records.get(student.pk)
        if record is not None:
            state = "late" if record.kind == RecordKind.LATENESS else "absent"
            marks.append(Mark(student, state, record.minutes, covered.get(student.pk)))
        elif student.pk in covered and roll_call is None:
            marks.append(Mark(student, "absent", None, covered[student.pk]))
        else:
            marks.append(Mark(student, "present", None, covered.get(student.pk)))
    return roll_call, marks


@dataclass
class DayLesson:
    lesson: Lesson
    taken: bool
    now: bool


def teacher_day(actor: Actor, day: date, now: datetime | None = None) -> list[DayLesson]:
    """The actor's lessons of a day with whether their roll call was taken (3 queries)."""
    now = now or timezone.now()
    lessons = teacher_lessons(actor, day)
    taken = set(
        RollCall.objects.filter(lesson_id__in=[x.pk for x in lessons]).values_list(
            "lesson_id", flat=True
        )
    )
    return [
        DayLesson(
            lesson,
            lesson.pk in taken,
            lesson.start - policies.EARLY <= now < lesson.end and not lesson.is_cancelled,
        )
        for lesson in lessons
    ]


# A roll call is missing once its lesson has run this long without one.
GRACE = timedelta(minutes=15)


def missing_roll_calls(
    *,
    establishment_id: int,
    since: date,
    now: datetime,
    teacher_id: int | None = None,
    started_before: datetime | None = None,
) -> QuerySet[Lesson]:
    """Lessons from ``since`` whose roll call was not taken though they began ``GRACE`` ago
    (or before ``started_before`` when given)."""
    lessons = Lesson.objects.filter(
        establishment_id=establishment_id,
        start__gte=datetime.combine(since, time(0), tzinfo=PARIS),
        start__lte=started_before if started_before is not None else now - GRACE,
        roll_call__isnull=True,
    ).exclude(status=LessonStatus.CANCELLED)
    if teacher_id is not None:
        lessons = lessons.filter(
            Q(lessonteacher__teacher_id=teacher_id) | Q(replacement_teacher_id=teacher_id)
        )
    return lessons.select_related(*LESSON_RELATED).prefetch_related("teachers").order_by("start")


def _count(queryset: QuerySet) -> Any:
    """A queryset's count as a subquery of the establishment's row."""
    counted = queryset.order_by().values("establishment_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def office_counts(establishment_id: int, today: date, now: datetime) -> dict[str, int]:
    """School life's panel: today's roll calls missing and the justifications to review, in one
    query."""
    missing = missing_roll_calls(establishment_id=establishment_id, since=today, now=now)
    review = Justification.objects.filter(establishment_id=establishment_id, decision="")
    return (
        Establishment.objects.filter(pk=establishment_id)
        .annotate(
            missing=_count(missing.select_related(None).prefetch_related(None)),
            review=_count(review),
        )
        .values("missing", "review")
        .get()
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def to_review(establishment_id: int) -> QuerySet[Justification]:
    """Justifications waiting for school life's decision, oldest first."""
    return (
        Justification.objects.filter(establishment_id=establishment_id, decision="")
        .select_related("record__student", "record__lesson__subject", "reason", "author")
        .order_by("submitted_at", "id")
    )


def records_of(actor: Actor, student_id: int) -> QuerySet[AttendanceRecord]:
    return (
        policies.visible_records(actor)
        .filter(student_id=student_id)
        .select_related("lesson__subject", "reason", "justification")
        .order_by("-start", "-id")
    )


def to_justify(actor: Actor, child: Child | None = None) -> QuerySet[AttendanceRecord]:
    """A guardian's children's records still to justify (one child when given)."""
    ids = [child.student.pk] if child is not None else list(actor.child_ids)
    return (
        AttendanceRecord.objects.filter(
            student_id__in=ids,
            school_year=actor.school_year,
            status=RecordStatus.UNEXPLAINED,
        )
        .select_related("student", "lesson__subject")
        .order_by("-start")
    )
