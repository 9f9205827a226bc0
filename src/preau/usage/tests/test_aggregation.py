"""The daily aggregation: incremental, one day at a time, week and month visitors counted once."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from preau.attendance.models import AttendanceRecord, HalfDay, RecordKind
from preau.directory.models import SchoolYear
from preau.usage.actions import do_aggregate_day, do_aggregate_pending
from preau.usage.models import (
    AbsenceDay,
    AggregatedDay,
    DailyVisitor,
    ProfileDay,
    ServiceDay,
    ServiceMonth,
    VisitCount,
)
from preau.usage.nomenclature import STUDENT
from preau.usage.tests.helpers import students_of, visit

pytestmark = pytest.mark.django_db

# A Wednesday and the Thursday after; the Monday of the next week, same month.
WED = date(2026, 11, 11)
THU = date(2026, 11, 12)
NEXT_MON = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel("2026-11-27 09:00 +01:00", tick=False):
        yield


def figures(cast: Any, day: date) -> ProfileDay:
    return ProfileDay.objects.get(establishment=cast.moulin, day=day, profile=STUDENT)


def test_a_person_seen_on_several_days_counts_once_in_the_week_and_month(cast: Any) -> None:
    people = students_of(cast.moulin, 8)
    visit(cast.moulin, people[:6], WED)
    visit(cast.moulin, people[2:8], THU, services=("Page_ENT", "Notes"))
    visit(cast.moulin, people[:5], NEXT_MON)
    for day in (WED, THU, NEXT_MON):
        do_aggregate_day(day=day)
    thursday = figures(cast, THU)
    assert (thursday.visitors, thursday.week_visitors, thursday.month_visitors) == (6, 8, 8)
    monday = figures(cast, NEXT_MON)
    assert (monday.visitors, monday.week_visitors, monday.month_visitors) == (5, 5, 8)
    assert thursday.accounts >= 8
    notes = ServiceMonth.objects.get(
        establishment=cast.moulin, month=date(2026, 11, 1), service="Notes", profile=STUDENT
    )
    assert (notes.visits, notes.visitors) == (18, 6)
    home = ServiceMonth.objects.get(
        establishment=cast.moulin, month=date(2026, 11, 1), service="Page_ENT", profile=STUDENT
    )
    assert (home.visits, home.visitors) == (18 + 18 + 15, 8)
    assert not VisitCount.objects.exists()


def test_running_a_day_again_adds_only_the_visits_flushed_since(cast: Any) -> None:
    people = students_of(cast.moulin, 6)
    visit(cast.moulin, people, WED)
    do_aggregate_day(day=WED)
    do_aggregate_day(day=WED)
    row = ServiceDay.objects.get(establishment=cast.moulin, day=WED, service="Page_ENT")
    assert (row.visits, row.visitors) == (18, 6)
    VisitCount.objects.create(
        day=WED, establishment=cast.moulin, service="Page_ENT", profile=STUDENT, visits=4
    )
    do_aggregate_day(day=WED)
    row = ServiceDay.objects.get(establishment=cast.moulin, day=WED, service="Page_ENT")
    assert row.visits == 22
    month = ServiceMonth.objects.get(establishment=cast.moulin, service="Page_ENT")
    assert month.visits == 22


def test_visitor_rows_are_deleted_once_no_week_or_month_needs_them(cast: Any) -> None:
    people = students_of(cast.moulin, 5)
    october = date(2026, 10, 20)
    visit(cast.moulin, people, october)
    visit(cast.moulin, people, WED)
    do_aggregate_day(day=october)
    do_aggregate_day(day=WED)
    assert list(DailyVisitor.objects.values_list("day", flat=True).distinct()) == [WED]
    with pytest.raises(ValidationError):
        do_aggregate_day(day=october)
    assert figures(cast, october).visitors == 5


def test_a_day_whose_month_lost_its_rows_is_not_aggregated_again(cast: Any) -> None:
    # 1 October is a Thursday: its week keeps the rows from Monday 28 September only, so the
    # end of September can no longer be recounted as a whole month.
    people = students_of(cast.moulin, 5)
    for day in (date(2026, 9, 10), date(2026, 9, 29), date(2026, 10, 1)):
        visit(cast.moulin, people, day)
        do_aggregate_day(day=day)
    with pytest.raises(ValidationError):
        do_aggregate_day(day=date(2026, 9, 29))
    assert figures(cast, date(2026, 9, 29)).month_visitors == 5
    do_aggregate_day(day=date(2026, 10, 1))


def test_a_future_day_is_refused_and_nothing_is_written(cast: Any) -> None:
    with pytest.raises(ValidationError):
        do_aggregate_day(day=date(2026, 11, 28))
    assert not AggregatedDay.objects.exists()


def test_pending_days_run_from_the_first_raw_input_to_yesterday(cast: Any) -> None:
    visit(cast.moulin, students_of(cast.moulin, 5), date(2026, 11, 24))
    done = do_aggregate_pending()
    assert [r.day for r in done] == [date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)]
    assert do_aggregate_pending() == []


def test_half_days_of_absence_per_day(cast: Any) -> None:
    year = SchoolYear.current()
    students = students_of(cast.moulin, 6)
    for n, student in enumerate(students):
        record = AttendanceRecord.objects.create(
            establishment=cast.moulin,
            school_year=year,
            student=student,
            kind=RecordKind.ABSENCE,
            start=f"{WED.isoformat()}T08:00+01:00",
            end=f"{WED.isoformat()}T17:00+01:00",
        )
        HalfDay.objects.create(
            establishment=cast.moulin, record=record, student=student, day=WED, afternoon=False
        )
        if n < 2:
            HalfDay.objects.create(
                establishment=cast.moulin, record=record, student=student, day=WED, afternoon=True
            )
    do_aggregate_day(day=WED)
    row = AbsenceDay.objects.get(establishment=cast.moulin, day=WED)
    assert (row.half_days, row.students) == (8, 6)


def test_the_command_aggregates_a_day_or_explains_why_not(cast: Any) -> None:
    visit(cast.moulin, students_of(cast.moulin, 5), WED)
    out = StringIO()
    call_command("aggregate_usage", "--date", WED.isoformat(), stdout=out)
    assert "2026-11-11" in out.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "aggregate_usage", "--date", (date(2026, 11, 27) + timedelta(days=3)).isoformat()
        )


def test_the_task_aggregates_pending_days(cast: Any) -> None:
    from preau.usage.tasks import aggregate_usage

    visit(cast.moulin, students_of(cast.moulin, 5), date(2026, 11, 26))
    aggregate_usage.enqueue()
    assert AggregatedDay.objects.filter(day=date(2026, 11, 26)).exists()
