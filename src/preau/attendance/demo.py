"""The demo's attendance: the reasons of both schools, roll calls of the collège's past
lessons, an unjustified absence of Noah, a justified one of Léa, a lateness of Jade and an
absence of Jade over two days entered by the CPE.

Built on the timetable's lessons. When the demo has no lesson for 4e B (no timetable demo), a
small week is created through the timetable's actions: maths with M. Bernard in 4e B and 3e A,
French with Mme Garcia in 4e B. Idempotent: nothing is added once Noah has a record.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from preau.attendance import actions
from preau.attendance.halfdays import PARIS, half_day_rows
from preau.attendance.models import (
    AbsenceReason,
    AttendanceRecord,
    Decision,
    HalfDay,
    Justification,
    RecordKind,
    RecordStatus,
    RollCall,
)
from preau.directory.models import SchoolYear, Subject
from preau.timetable import actions as timetable
from preau.timetable.models import Lesson, LessonStatus

WINDOW = timedelta(days=21)
# weekday, start, end, class attribute, subject code, teacher attribute, room
FALLBACK_COURSES = [
    (1, "08:00", "09:00", "class_4b", "061300", "bernard", "B12"),
    (4, "10:00", "11:00", "class_4b", "061300", "bernard", "B12"),
    (2, "09:00", "10:00", "class_4b", "020700", "garcia", "A03"),
    (5, "14:00", "15:00", "class_4b", "020700", "garcia", "A03"),
    (1, "10:00", "11:00", "class_3a", "061300", "bernard", "B12"),
    (3, "08:00", "09:00", "class_3a", "061300", "bernard", "B12"),
]


def _fallback_timetable(cast: Any) -> None:
    if Lesson.objects.filter(school_class=cast.class_4b).exists():
        return
    year = SchoolYear.current()
    for weekday, start, end, class_name, code, teacher, room in FALLBACK_COURSES:
        school_class = getattr(cast, class_name)
        timetable.do_create_course(
            actor=cast.principal_moulin,
            establishment=cast.moulin,
            school_year=year,
            school_class=school_class,
            subject=Subject.objects.get(establishment=cast.moulin, code=code),
            teachers=[getattr(cast, teacher)],
            weekday=weekday,
            start_time=time.fromisoformat(start),
            end_time=time.fromisoformat(end),
            room=room,
        )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS)


def _reason(cast: Any, code: str) -> AbsenceReason:
    return AbsenceReason.objects.get(establishment=cast.moulin, code=code)


@transaction.atomic
def build(cast: Any) -> None:
    actions.ensure_reasons(cast.moulin)
    actions.ensure_reasons(cast.curie)
    if AttendanceRecord.objects.filter(student=cast.noah).exists():
        return
    _fallback_timetable(cast)
    today = timezone.localdate()
    # Every lesson of the collège before today, over three weeks, has its roll call; today's
    # are left for the teachers (and show as missing to the CPE once begun).
    past = list(
        Lesson.objects.filter(
            establishment=cast.moulin,
            start__gte=_midnight(today) - WINDOW,
            start__lt=_midnight(today),
        )
        .exclude(status=LessonStatus.CANCELLED)
        .prefetch_related("teachers")
        .order_by("start", "id")
    )
    roll_calls = RollCall.objects.bulk_create(
        [
            RollCall(
                establishment=cast.moulin,
                school_year_id=lesson.school_year_id,
                lesson=lesson,
                taken_by=next(iter(lesson.teachers.all()), None),
                taken_at=lesson.start + timedelta(minutes=5),
                updated_by=next(iter(lesson.teachers.all()), None),
                updated_at=lesson.start + timedelta(minutes=5),
            )
            for lesson in past
        ]
    )
    by_lesson = {rc.lesson_id: rc for rc in roll_calls}
    in_4b = [x for x in past if x.school_class_id == cast.class_4b.pk]
    in_3a = [x for x in past if x.school_class_id == cast.class_3a.pk]
    records: list[AttendanceRecord] = []

    def at_lesson(lesson: Lesson, student: Any, kind: str, **extra: Any) -> AttendanceRecord:
        record = AttendanceRecord(
            establishment=cast.moulin,
            school_year_id=lesson.school_year_id,
            student=student,
            kind=kind,
            start=lesson.start,
            end=lesson.end,
            roll_call=by_lesson[lesson.pk],
            lesson=lesson,
            created_by=by_lesson[lesson.pk].taken_by,
            **extra,
        )
        records.append(record)
        return record

    lea_absence = None
    if in_4b:
        at_lesson(in_4b[-1], cast.noah, RecordKind.ABSENCE)
    if len(in_4b) > 2:
        lea_absence = at_lesson(
            in_4b[-3],
            cast.lea,
            RecordKind.ABSENCE,
            status=RecordStatus.JUSTIFIED,
            reason=_reason(cast, "illness"),
        )
    if in_3a:
        at_lesson(in_3a[-1], cast.jade, RecordKind.LATENESS, minutes=10)
    # Jade, absent two days the week before, entered by the CPE (a family matter, to justify).
    monday = today - timedelta(days=today.weekday() + 7)
    records.append(
        AttendanceRecord(
            establishment=cast.moulin,
            school_year=SchoolYear.current(),
            student=cast.jade,
            kind=RecordKind.ABSENCE,
            start=datetime.combine(monday + timedelta(days=1), time(8, 0), tzinfo=PARIS),
            end=datetime.combine(monday + timedelta(days=2), time(12, 0), tzinfo=PARIS),
            note="Prévenu par téléphone",
            created_by=cast.cpe_moulin,
        )
    )
    year = SchoolYear.current()
    records = [r for r in records if year.start_date <= r.start.astimezone(PARIS).date()]
    AttendanceRecord.objects.bulk_create(records)
    HalfDay.objects.bulk_create([h for r in records for h in half_day_rows(r)])
    if lea_absence is not None and lea_absence.pk:
        Justification.objects.create(
            establishment=cast.moulin,
            record=lea_absence,
            author=cast.sophie,
            reason=lea_absence.reason,
            comment="Léa avait de la fièvre.",
            submitted_at=lea_absence.end + timedelta(hours=3),
            decision=Decision.ACCEPTED,
            decided_by=cast.cpe_moulin,
            decided_at=lea_absence.end + timedelta(days=1),
            decision_comment="Merci.",
        )
