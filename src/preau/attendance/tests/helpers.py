"""What the attendance tests start from: the timetable's week of 4e B and 3e A, moments inside
it, and a class grown to thirty students."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import time_machine
from django.contrib.auth import get_user_model

from preau.attendance import actions
from preau.attendance.models import AbsenceReason
from preau.core.actor import Actor
from preau.directory.models import Enrolment, SchoolYear
from preau.timetable.generation import PARIS
from preau.timetable.models import Lesson
from preau.timetable.tests.helpers import lesson_on, moulin_week, plain_week

User = get_user_model()


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def at(day: date, clock: str) -> Any:
    """Travel to a Paris moment (the clock stands still)."""
    return time_machine.travel(
        datetime.combine(day, time.fromisoformat(clock), tzinfo=PARIS), tick=False
    )


@dataclass
class Week:
    monday: date
    maths_4b: Lesson  # Monday 08:00-09:00, M. Bernard
    maths_3a: Lesson  # Monday 10:00-11:00, M. Bernard
    french_4b: Lesson  # Tuesday 09:00-10:00, Mme Garcia
    courses: dict[str, Any]


def build_week(cast: Any) -> Week:
    courses = moulin_week(cast)
    monday = plain_week()
    actions.ensure_reasons(cast.moulin)
    return Week(
        monday=monday,
        maths_4b=lesson_on(courses["maths_4b"], monday),
        maths_3a=lesson_on(courses["maths_3a"], monday),
        french_4b=lesson_on(courses["french_4b"], monday + timedelta(days=1)),
        courses=courses,
    )


def reason(cast: Any, code: str) -> AbsenceReason:
    return AbsenceReason.objects.get(establishment=cast.moulin, code=code)


def grow_class(cast: Any, size: int) -> list[Any]:
    """Add students to 4e B until it has ``size``."""
    year = SchoolYear.current()
    have = Enrolment.objects.filter(school_class=cast.class_4b).count()
    users = User.objects.bulk_create(
        [
            User(username=f"eleve.extra{i}", first_name=f"Élève{i}", last_name=f"Extra{i:02d}")
            for i in range(size - have)
        ]
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                establishment=cast.moulin, school_year=year, student=u, school_class=cast.class_4b
            )
            for u in users
        ]
    )
    return users
