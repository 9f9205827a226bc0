"""Calendars and events of the cast for the agenda's tests."""

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from preau.calendar import actions
from preau.calendar.ical import PARIS
from preau.core.actor import Actor

# A fixed week, so that the pages and feeds are checked on known dates.
MONDAY = date(2026, 11, 30)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def add(person: Any, calendar: Any, title: str, day: date = MONDAY, **fields: Any) -> Any:
    fields.setdefault("start", at(day, 10))
    fields.setdefault("end", fields["start"] + timedelta(hours=1))
    return actions.do_add_event(actor=Actor(person), calendar=calendar, title=title, **fields)


@pytest.fixture
def moulin_calendar(cast: Any) -> Any:
    return actions.shared_calendar(establishment=cast.moulin)


@pytest.fixture
def class_4b_calendar(cast: Any) -> Any:
    return actions.shared_calendar(establishment=cast.moulin, school_class=cast.class_4b)


@pytest.fixture
def class_3a_calendar(cast: Any) -> Any:
    return actions.shared_calendar(establishment=cast.moulin, school_class=cast.class_3a)


@pytest.fixture
def curie_calendar(cast: Any) -> Any:
    return actions.shared_calendar(establishment=cast.curie)


@pytest.fixture
def bernard_calendar(cast: Any) -> Any:
    return actions.ensure_personal_calendar(actor=cast.bernard, establishment=cast.moulin)
