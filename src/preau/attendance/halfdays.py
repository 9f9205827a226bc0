"""Counting absences in half-days (« demi-journées »), the unit of the national statistics.

The rule, as this portal applies it (documented in docs/attendance.md):
- A day has a morning and an afternoon; a lesson belongs to the morning when it starts before
  12:00 (Paris time), to the afternoon otherwise.
- An absence recorded at a roll call counts for the half-day of its lesson.
- An absence entered by the CPE over a range counts for the half-days of the student's lessons
  it covers (class and groups, cancelled lessons left out). When the student's class has no
  lesson at all in the range (no timetable entered), it counts for the half-days of the school
  days it overlaps (morning 08:00-12:00, afternoon 13:30-17:30, no Wednesday afternoon).
- A student absent from several lessons of one half-day is absent for one half-day.
- A half-day is justified when every absence counted in it is justified (the CPE accepted its
  reason); otherwise it is unjustified, whatever the justifications waiting for a decision.
- Lateness and early departures are counted apart; they make no half-day of absence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q

from preau.attendance.models import AttendanceRecord, HalfDay, RecordKind, RecordStatus
from preau.directory.models import Enrolment, GroupMembership
from preau.timetable.generation import PARIS
from preau.timetable.models import Lesson, LessonStatus
from preau.timetable.schoolcalendar import school_calendar

NOON = time(12, 0)
MORNING = (time(8, 0), time(12, 0))
AFTERNOON = (time(13, 30), time(17, 30))


def half_day_of(moment: datetime) -> tuple[date, bool]:
    """The Paris day of ``moment`` and whether it is the afternoon."""
    local = moment.astimezone(PARIS)
    return local.date(), local.time() >= NOON


def _calendar_half_days(
    establishment: Any, start: datetime, end: datetime
) -> set[tuple[date, bool]]:
    first, last = start.astimezone(PARIS).date(), end.astimezone(PARIS).date()
    calendar = school_calendar(establishment, first, last)
    found = set()
    day = first
    while day <= last:
        if calendar.is_school_day(day) and day.isoweekday() != 6:
            for afternoon, (begin, finish) in ((False, MORNING), (True, AFTERNOON)):
                if afternoon and day.isoweekday() == 3:
                    continue
                lo = datetime.combine(day, begin, tzinfo=PARIS)
                hi = datetime.combine(day, finish, tzinfo=PARIS)
                if start < hi and end > lo:
                    found.add((day, afternoon))
        day += timedelta(days=1)
    return found


def range_half_days(record: AttendanceRecord) -> set[tuple[date, bool]]:
    """The half-days an absence entered over a range counts for (see the module)."""
    enrolment = (
        Enrolment.objects.filter(
            student_id=record.student_id,
            establishment_id=record.establishment_id,
            school_year_id=record.school_year_id,
        )
        .values_list("school_class_id", flat=True)
        .first()
    )
    groups = GroupMembership.objects.filter(
        establishment_id=record.establishment_id, student_id=record.student_id
    ).values("group_id")
    audience = Q(school_class_id=enrolment) | Q(group_id__in=groups)
    in_range = Q(
        establishment_id=record.establishment_id, start__lt=record.end, end__gt=record.start
    )
    starts = list(
        Lesson.objects.filter(audience, in_range)
        .exclude(status=LessonStatus.CANCELLED)
        .values_list("start", flat=True)
    )
    if starts:
        return {half_day_of(start) for start in starts}
    if (
        enrolment is not None
        and Lesson.objects.filter(
            school_class_id=enrolment, start__lt=record.end, end__gt=record.start
        ).exists()
    ):
        # The class has lessons there, all cancelled: nothing was missed.
        return set()
    return _calendar_half_days(record.establishment, record.start, record.end)


def half_day_rows(record: AttendanceRecord) -> list[HalfDay]:
    """The HalfDay rows of one record (none for lateness and early departures)."""
    if record.kind != RecordKind.ABSENCE:
        return []
    lesson = record.lesson_id is not None
    spots = {half_day_of(record.start)} if lesson else range_half_days(record)
    return [
        HalfDay(
            establishment_id=record.establishment_id,
            record=record,
            student_id=record.student_id,
            day=day,
            afternoon=afternoon,
        )
        for day, afternoon in sorted(spots)
    ]


@dataclass
class Totals:
    """One student's figures over a range of days."""

    half_days: int = 0
    justified: int = 0
    lateness: int = 0
    early: int = 0

    @property
    def unjustified(self) -> int:
        return self.half_days - self.justified


def totals(
    *, establishment_id: int, student_ids: Iterable[int] | None, first: date, last: date
) -> dict[int, Totals]:
    """Totals per student from ``first`` to ``last`` (2 queries whatever the number of
    students and records). ``student_ids`` None: every student of the establishment."""
    halves = HalfDay.objects.filter(establishment_id=establishment_id, day__range=(first, last))
    others = AttendanceRecord.objects.filter(
        establishment_id=establishment_id,
        kind__in=[RecordKind.LATENESS, RecordKind.EARLY_DEPARTURE],
        start__gte=datetime.combine(first, time(0), tzinfo=PARIS),
        start__lt=datetime.combine(last + timedelta(days=1), time(0), tzinfo=PARIS),
    )
    if student_ids is not None:
        ids = list(student_ids)
        halves = halves.filter(student_id__in=ids)
        others = others.filter(student_id__in=ids)
    justified: dict[tuple[int, date, bool], bool] = {}
    for student_id, day, afternoon, status in halves.values_list(
        "student_id", "day", "afternoon", "record__status"
    ):
        key = (student_id, day, afternoon)
        justified[key] = justified.get(key, True) and status == RecordStatus.JUSTIFIED
    result: dict[int, Totals] = defaultdict(Totals)
    for (student_id, _day, _afternoon), ok in justified.items():
        result[student_id].half_days += 1
        result[student_id].justified += int(ok)
    for student_id, kind in others.values_list("student_id", "kind"):
        if kind == RecordKind.LATENESS:
            result[student_id].lateness += 1
        else:
            result[student_id].early += 1
    return result


ALERT_THRESHOLD = 4


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def alert_list(*, establishment_id: int, month: date) -> dict[int, Totals]:
    """Students at or above the national alert threshold (4 unjustified half-days in the
    calendar month of ``month``), with their totals of that month."""
    first, last = month_bounds(month)
    figures = totals(establishment_id=establishment_id, student_ids=None, first=first, last=last)
    return {sid: t for sid, t in figures.items() if t.unjustified >= ALERT_THRESHOLD}
