"""Reads of the statistics pages and exports, with the suppression rule applied.

Suppression: a figure about fewer than ``MIN_PEOPLE`` people is withheld (None): shown « < 5 »
on pages, left empty in exports. Visits of a service count as a figure about its unique
visitors; half-days of absence as a figure about the students absent.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Sum

from preau.directory.models import Establishment
from preau.usage.models import AbsenceDay, AggregatedDay, ProfileDay, ServiceMonth
from preau.usage.nomenclature import GUARDIAN, PROFILE_LABELS, PROFILES

MIN_PEOPLE = 5


def shown(people: int, value: int | None = None) -> int | None:
    """``value`` (or ``people`` itself) when it concerns at least MIN_PEOPLE people."""
    if people < MIN_PEOPLE:
        return None
    return people if value is None else value


def share(part: int, whole: int) -> int | None:
    """A percentage of people, withheld when either side concerns fewer than MIN_PEOPLE."""
    if part < MIN_PEOPLE or whole < MIN_PEOPLE:
        return None
    return round(100 * part / whole)


def last_day() -> date | None:
    return AggregatedDay.objects.aggregate(last=Max("day"))["last"]


def month_days(month: date, until: date | None) -> list[date]:
    count = calendar.monthrange(month.year, month.month)[1]
    days = [month + timedelta(days=n) for n in range(count)]
    return [d for d in days if until is None or d <= until]


def parse_month(value: str | None, default: date) -> date:
    """``YYYY-MM`` from a query string, or ``default``'s month; anything else is the default."""
    if value:
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            pass
    return default.replace(day=1)


@dataclass
class ProfileFigures:
    profile: str
    label: Any
    accounts: int | None
    activated: int | None
    visitors: int | None
    week_visitors: int | None
    month_visitors: int | None


@dataclass
class Report:
    """One establishment's (or a sum of establishments') month."""

    month: date
    days: list[date]
    last: date | None
    profiles: list[ProfileFigures] = field(default_factory=list)
    daily_visitors: dict[str, list[int | None]] = field(default_factory=dict)
    services: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    absences: list[int | None] = field(default_factory=list)
    guardian_share: int | None = None

    @property
    def has_figures(self) -> bool:
        return any(
            v is not None for p in self.profiles for v in (p.accounts, p.month_visitors)
        ) or any(visits is not None for _, visits, _ in self.services)


def report(establishments: Iterable[int], month: date, last: date | None) -> Report:
    """The month of these establishments (3 queries), summed when there are several."""
    ids = list(establishments)
    days = month_days(month, last)
    result = Report(month=month, days=days, last=last)
    if not days:
        return result
    until = days[-1]
    per_day: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in ProfileDay.objects.filter(
        establishment_id__in=ids, day__gte=month, day__lte=until
    ).values_list(
        "day", "profile", "accounts", "activated", "visitors", "week_visitors", "month_visitors"
    ):
        figures = per_day[(row[0], row[1])]
        for index, value in enumerate(row[2:]):
            figures[index] += value
    empty = [0, 0, 0, 0, 0]
    for profile in PROFILES:
        result.daily_visitors[profile] = [
            shown(per_day.get((day, profile), empty)[2]) for day in days
        ]
        accounts, activated, visitors, week, month_visitors = per_day.get((until, profile), empty)
        result.profiles.append(
            ProfileFigures(
                profile=profile,
                label=PROFILE_LABELS[profile],
                accounts=shown(accounts),
                activated=shown(activated),
                visitors=shown(visitors),
                week_visitors=shown(week),
                month_visitors=shown(month_visitors),
            )
        )
    guardians = per_day.get((until, GUARDIAN), empty)
    result.guardian_share = share(guardians[4], guardians[0])

    services: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for service, visits, visitors in ServiceMonth.objects.filter(
        establishment_id__in=ids, month=month
    ).values_list("service", "visits", "visitors"):
        services[service][0] += visits
        services[service][1] += visitors
    result.services = sorted(
        (
            (service, shown(visitors, visits), shown(visitors))
            for service, (visits, visitors) in services.items()
        ),
        key=lambda item: (-(item[1] or 0), item[0]),
    )

    absences: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, half_days, students in AbsenceDay.objects.filter(
        establishment_id__in=ids, day__gte=month, day__lte=until
    ).values_list("day", "half_days", "students"):
        absences[day][0] += half_days
        absences[day][1] += students
    result.absences = [
        shown(absences[day][1], absences[day][0]) if day in absences else 0 for day in days
    ]
    return result


def establishment_rows(
    establishments: list[Establishment], month: date, last: date | None
) -> list[dict[str, Any]]:
    """One line per establishment: accounts, visitors of the month, guardians' share (2 queries)."""
    days = month_days(month, last)
    ids = [e.pk for e in establishments]
    figures: dict[int, dict[str, list[int]]] = defaultdict(dict)
    if days:
        for est, profile, accounts, month_visitors in ProfileDay.objects.filter(
            establishment_id__in=ids, day=days[-1]
        ).values_list("establishment_id", "profile", "accounts", "month_visitors"):
            figures[est][profile] = [accounts, month_visitors]
    visits = dict(
        ServiceMonth.objects.filter(establishment_id__in=ids, month=month)
        .values("establishment_id")
        .annotate(n=Sum("visits"))
        .values_list("establishment_id", "n")
    )
    rows = []
    for establishment in establishments:
        profiles = figures.get(establishment.pk, {})
        accounts = sum(a for a, _ in profiles.values())
        visitors = sum(v for _, v in profiles.values())
        guardians = profiles.get(GUARDIAN, [0, 0])
        rows.append(
            {
                "establishment": establishment,
                "accounts": shown(accounts),
                "month_visitors": shown(visitors),
                "visits": shown(visitors, visits.get(establishment.pk, 0)),
                "guardian_share": share(guardians[1], guardians[0]),
            }
        )
    return rows


# -- exports -------------------------------------------------------------------------------------

DAILY_HEADER = [
    "uai",
    "date",
    "profil",
    "comptes",
    "comptes_actives",
    "visiteurs_uniques_jour",
    "visiteurs_uniques_semaine",
    "visiteurs_uniques_mois",
]
MONTHLY_HEADER = ["uai", "mois", "service", "profil", "visites", "visiteurs_uniques"]
# The whole portal, all services together, in the monthly export.
ALL_SERVICES = "ENT"
EXPORT_PROFILES = {
    "student": "eleve",
    "guardian": "responsable",
    "teacher": "enseignant",
    "staff": "personnel",
    "other": "autre",
}


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def daily_rows(establishment: Establishment, month: date, last: date | None) -> Iterator[list[str]]:
    """The establishment's daily figures of a month, withheld figures left empty (1 query)."""
    yield DAILY_HEADER
    days = month_days(month, last)
    if not days:
        return
    for row in (
        ProfileDay.objects.filter(establishment=establishment, day__gte=month, day__lte=days[-1])
        .order_by("day", "profile")
        .values_list(
            "day", "profile", "accounts", "activated", "visitors", "week_visitors", "month_visitors"
        )
    ):
        yield [
            establishment.uai,
            row[0].isoformat(),
            EXPORT_PROFILES.get(row[1], row[1]),
            *(_cell(shown(value)) for value in row[2:]),
        ]


def monthly_rows(establishment_ids: list[int], month: date) -> Iterator[list[str]]:
    """The monthly export for the authority (docs/usage.md); rows about fewer than MIN_PEOPLE
    people are left out (3 queries)."""
    yield MONTHLY_HEADER
    uais = dict(Establishment.objects.filter(pk__in=establishment_ids).values_list("pk", "uai"))
    label = f"{month:%Y-%m}"
    last_of_month = ProfileDay.objects.filter(
        establishment_id__in=establishment_ids, day__gte=month, day__lt=_next_month(month)
    ).aggregate(last=Max("day"))["last"]
    totals: dict[tuple[int, str], int] = defaultdict(int)
    rows = (
        ServiceMonth.objects.filter(establishment_id__in=establishment_ids, month=month)
        .order_by("establishment_id", "service", "profile")
        .values_list("establishment_id", "service", "profile", "visits", "visitors")
    )
    lines = []
    for est, service, profile, visits, visitors in rows:
        totals[(est, profile)] += visits
        if visitors >= MIN_PEOPLE:
            lines.append(
                [
                    uais[est],
                    label,
                    service,
                    EXPORT_PROFILES.get(profile, profile),
                    str(visits),
                    str(visitors),
                ]
            )
    if last_of_month is not None:
        for est, profile, month_visitors in ProfileDay.objects.filter(
            establishment_id__in=establishment_ids, day=last_of_month
        ).values_list("establishment_id", "profile", "month_visitors"):
            if month_visitors >= MIN_PEOPLE:
                lines.append(
                    [
                        uais[est],
                        label,
                        ALL_SERVICES,
                        EXPORT_PROFILES.get(profile, profile),
                        str(totals.get((est, profile), 0)),
                        str(month_visitors),
                    ]
                )
    lines.sort(key=lambda line: (line[0], line[2] != ALL_SERVICES, line[2], line[3]))
    yield from lines


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)
