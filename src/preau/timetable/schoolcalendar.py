"""The school calendar of an establishment: which days have lessons and which weeks are A or B.

Days without lessons: the holidays of the establishment's zone (``Holiday``), the French public
holidays (computed here, Easter-based ones included) and the establishment's own closed days
(``ClosedDay``). Read once per call in a fixed number of queries (settings, holidays, closed
days, week overrides), then answered in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.easter import easter
from django.utils.translation import gettext as _

from preau.directory.models import Establishment
from preau.timetable.models import (
    ClosedDay,
    Holiday,
    TimetableSettings,
    WeekOverride,
    Weeks,
)


def public_holidays(year: int) -> dict[date, str]:
    """The French public holidays (jours fériés) of a civil year, metropolitan France."""
    easter_day = easter(year)
    return {
        date(year, 1, 1): _("Jour de l'an"),
        easter_day + timedelta(days=1): _("Lundi de Pâques"),
        date(year, 5, 1): _("Fête du travail"),
        date(year, 5, 8): _("Victoire 1945"),
        easter_day + timedelta(days=39): _("Ascension"),
        easter_day + timedelta(days=50): _("Lundi de Pentecôte"),
        date(year, 7, 14): _("Fête nationale"),
        date(year, 8, 15): _("Assomption"),
        date(year, 11, 1): _("Toussaint"),
        date(year, 11, 11): _("Armistice 1918"),
        date(year, 12, 25): _("Noël"),
    }


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class SchoolCalendar:
    """What an establishment's calendar says about the days of a range."""

    first: date
    last: date
    zone: str = ""
    week_a_start: date | None = None
    holidays: list[tuple[date, date, str]] = field(default_factory=list)
    closed: dict[date, str] = field(default_factory=dict)
    overrides: dict[date, str] = field(default_factory=dict)
    _letters: dict[date, str] = field(default_factory=dict, repr=False)

    def closure(self, day: date) -> str:
        """Why there are no lessons on ``day`` ('' when there are)."""
        if day in self.closed:
            return self.closed[day]
        for first, last, label in self.holidays:
            if first <= day <= last:
                return label
        return public_holidays(day.year).get(day, "")

    def is_school_day(self, day: date) -> bool:
        return day.isoweekday() != 7 and not self.closure(day)

    def week_letter(self, day: date) -> str:
        """'A' or 'B' for the week of ``day`` ('' when no alternation is set)."""
        monday = monday_of(day)
        if monday in self.overrides:
            return self.overrides[monday]
        if self.week_a_start is None:
            return ""
        if monday not in self._letters:
            self._compute_letters(monday)
        return self._letters.get(monday, "")

    def _compute_letters(self, until: date) -> None:
        """Walk the weeks from the start of the alternation (or the last override before it)."""
        start = monday_of(self.week_a_start)  # type: ignore[arg-type]
        letter = Weeks.A.value
        for monday, forced in sorted(self.overrides.items()):
            if start < monday <= until:
                start, letter = monday, forced
        if until < start:
            return
        monday = start
        while monday <= until:
            if monday in self.overrides:
                letter = self.overrides[monday]
            self._letters[monday] = letter
            if any(self.is_school_day(monday + timedelta(days=i)) for i in range(6)):
                letter = Weeks.B.value if letter == Weeks.A.value else Weeks.A.value
            monday += timedelta(days=7)

    def has_lesson(self, day: date, weeks: str) -> bool:
        """Whether a course of these weeks takes place on ``day``."""
        if not self.is_school_day(day):
            return False
        return weeks == Weeks.EVERY or self.week_letter(day) == weeks


def school_calendar(establishment: Establishment, first: date, last: date) -> SchoolCalendar:
    """The calendar of ``establishment`` for the days from ``first`` to ``last`` (4 queries)."""
    settings = TimetableSettings.objects.filter(establishment=establishment).first()
    zone = settings.zone if settings else ""
    week_a_start = settings.week_a_start if settings else None
    holidays = [
        (h.first_day, h.last_day, h.label)
        for h in Holiday.objects.filter(zone=zone, first_day__lte=last, last_day__gte=first)
    ]
    closed = {
        c.day: c.label
        for c in ClosedDay.objects.filter(establishment=establishment, day__range=(first, last))
    }
    overrides = dict(
        WeekOverride.objects.filter(establishment=establishment).values_list("monday", "week")
    )
    return SchoolCalendar(
        first=first,
        last=last,
        zone=zone,
        week_a_start=week_a_start,
        holidays=holidays,
        closed=closed,
        overrides=overrides,
    )
