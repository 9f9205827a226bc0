"""What the grades tests start from: a week of the current school year, the cast's actors,
and an assessment of M. Bernard's maths in 4e B."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import time_machine

from preau.core.actor import Actor
from preau.directory.models import SchoolYear, Subject
from preau.grades import actions
from preau.grades.models import Assessment
from preau.timetable.generation import PARIS
from preau.timetable.tests.helpers import plain_week

MATHS = "061300"
FRENCH = "020700"


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def monday() -> date:
    """A Monday of the first trimester, without public holidays."""
    return plain_week(5)


def at(day: date, clock: str) -> Any:
    """Travel to a Paris moment (the clock stands still)."""
    return time_machine.travel(
        datetime.combine(day, time.fromisoformat(clock), tzinfo=PARIS), tick=False
    )


def paris(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=PARIS)


def subject(cast: Any, code: str = MATHS) -> Subject:
    return Subject.objects.get(establishment=cast.moulin, code=code)


def assessment(
    cast: Any,
    *,
    title: str = "Contrôle fractions",
    day: date | None = None,
    scale: str = "20",
    coefficient: str = "1",
    kind: str = "normal",
    school_class: Any = None,
    teacher: Any = None,
    code: str = MATHS,
) -> Assessment:
    return actions.do_create_assessment(
        actor=actor_for(teacher or cast.bernard),
        subject=subject(cast, code),
        school_class=school_class or cast.class_4b,
        data=actions.AssessmentInput(
            title=title,
            date=day or monday() + timedelta(days=1),
            scale=Decimal(scale),
            coefficient=Decimal(coefficient),
            kind=kind,
        ),
    )


def year() -> SchoolYear:
    return SchoolYear.current()
