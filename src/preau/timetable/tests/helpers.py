"""Courses the timetable tests start from: a week of 4e B and 3e A at the collège Jean Moulin."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from preau.core.actor import Actor
from preau.directory.models import SchoolYear, Subject
from preau.timetable import actions
from preau.timetable.models import Course, Lesson
from preau.timetable.schoolcalendar import public_holidays


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def plain_week(offset_weeks: int = 4) -> date:
    """The Monday of a week of the current school year without public holidays."""
    year = SchoolYear.current()
    monday = year.start_date + timedelta(days=7 * offset_weeks)
    monday -= timedelta(days=monday.weekday())
    while any(
        monday + timedelta(days=i) in public_holidays((monday + timedelta(days=i)).year)
        for i in range(5)
    ):
        monday += timedelta(days=7)
    return monday


def subject(establishment: Any, code: str) -> Subject:
    return Subject.objects.get(establishment=establishment, code=code)


def course(
    cast: Any,
    *,
    school_class: Any,
    code: str,
    teachers: list[Any],
    weekday: int,
    start: str,
    end: str,
    room: str = "",
    weeks: str = "every",
    **extra: Any,
) -> Course:
    establishment = school_class.establishment
    return actions.do_create_course(
        actor=cast.principal_moulin,
        establishment=establishment,
        school_year=SchoolYear.current(),
        school_class=school_class,
        subject=subject(establishment, code),
        teachers=teachers,
        weekday=weekday,
        start_time=time.fromisoformat(start),
        end_time=time.fromisoformat(end),
        room=room,
        weeks=weeks,
        **extra,
    )


def moulin_week(cast: Any) -> dict[str, Course]:
    """Maths with M. Bernard in 4e B (Monday 8:00) and 3e A (Monday 10:00), French with
    Mme Garcia in 4e B (Tuesday 9:00)."""
    return {
        "maths_4b": course(
            cast,
            school_class=cast.class_4b,
            code="061300",
            teachers=[cast.bernard],
            weekday=1,
            start="08:00",
            end="09:00",
            room="B12",
        ),
        "maths_3a": course(
            cast,
            school_class=cast.class_3a,
            code="061300",
            teachers=[cast.bernard],
            weekday=1,
            start="10:00",
            end="11:00",
            room="B12",
        ),
        "french_4b": course(
            cast,
            school_class=cast.class_4b,
            code="020700",
            teachers=[cast.garcia],
            weekday=2,
            start="09:00",
            end="10:00",
            room="A03",
        ),
    }


def lesson_on(course: Course, day: date) -> Lesson:
    return Lesson.objects.get(course=course, slot=day)
