"""The daily aggregation: raw inputs of one day into the establishments' daily tables.

It runs one day at a time (``preau aggregate_usage``, each night for the day before) and may run
again for the same day: the visits flushed since are added, everything else is recomputed.
Week and month unique visitors are counted over the visitors' rows from the week's Monday or the
month's first day, whichever is earlier: those rows are kept until both the week and the month of
the last aggregated day no longer need them, then deleted (``DailyVisitor`` is the only table
naming people; it lives five weeks at most).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.attendance.models import HalfDay
from preau.directory.models import Membership, SchoolYear
from preau.usage.models import (
    AbsenceDay,
    AggregatedDay,
    DailyVisitor,
    ProfileDay,
    ServiceDay,
    ServiceMonth,
    VisitCount,
)
from preau.usage.nomenclature import BITS, profile_of


@dataclass
class Aggregated:
    day: date
    establishments: int
    visits: int
    visitors: int


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def kept_from(day: date) -> date:
    """The first day whose visitors' rows the figures of ``day`` still need."""
    return min(week_start(day), month_start(day))


def last_aggregated() -> date | None:
    return AggregatedDay.objects.aggregate(last=Max("day"))["last"]


def _accounts(day: date, memo: dict[str, Any] | None = None) -> dict[tuple[int, str], list[int]]:
    """(establishment, profile) -> [accounts, activated] for the school year of ``day``.

    ``memo`` keeps the result per school year while several days are aggregated in a row.
    """
    label = SchoolYear.bounds_for(day)[0]
    if memo is not None and label in memo:
        return memo[label]
    people: dict[tuple[int, int], tuple[set[str], bool]] = {}
    rows = Membership.objects.filter(
        school_year__label=label, is_active=True, establishment__is_active=True
    ).values_list("establishment_id", "person_id", "profile", "person__last_login")
    for establishment_id, person_id, profile, last_login in rows.iterator(chunk_size=5000):
        profiles, _activated = people.setdefault(
            (establishment_id, person_id), (set(), last_login is not None)
        )
        profiles.add(profile)
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for (establishment_id, _person), (profiles, activated) in people.items():
        figures = totals[(establishment_id, profile_of(profiles))]
        figures[0] += 1
        figures[1] += int(activated)
    if memo is not None:
        memo[label] = totals
    return totals


def _visitors(start: date, day: date) -> tuple[dict[Any, int], dict[Any, int]]:
    """Distinct visitors from ``start`` to ``day``: per (establishment, profile), and per
    (establishment, service, profile) from the services' bits, in one query."""
    per_service = {
        f"s{index}": Count(
            "person_id", distinct=True, filter=GreaterThan(F("services").bitand(bit), 0)
        )
        for index, bit in enumerate(BITS.values())
    }
    rows = (
        DailyVisitor.objects.filter(day__gte=start, day__lte=day)
        .values("establishment_id", "profile")
        .annotate(n=Count("person_id", distinct=True), **per_service)
    )
    people: dict[Any, int] = {}
    services: dict[Any, int] = {}
    for r in rows:
        people[(r["establishment_id"], r["profile"])] = r["n"]
        for index, code in enumerate(BITS):
            if r[f"s{index}"]:
                services[(r["establishment_id"], code, r["profile"])] = r[f"s{index}"]
    return people, services


def do_aggregate_day(*, day: date, memo: dict[str, Any] | None = None) -> Aggregated:
    """Aggregate ``day`` for every establishment (one transaction); see the module.

    ``memo``, shared by the days of one run, keeps what they have in common (the accounts).
    """
    today = timezone.localdate()
    if day > today:
        raise ValidationError(_("Ce jour n'est pas encore passé."))
    last = last_aggregated()
    # The rows this day's week and month need must all still be there.
    if last is not None and kept_from(day) < kept_from(last):
        raise ValidationError(
            _("Les données détaillées de ce jour ont déjà été effacées : il reste tel qu'agrégé.")
        )
    month = month_start(day)
    with transaction.atomic():
        # Visits flushed since the last run of this day: summed, added, then deleted. Rows a
        # web process flushes meanwhile are left for the next run (their id is higher).
        top = VisitCount.objects.filter(day=day).aggregate(top=Max("pk"))["top"]
        new_visits: dict[tuple[int, str, str], int] = {}
        if top is not None:
            raw = VisitCount.objects.filter(day=day, pk__lte=top)
            for r in raw.values("establishment_id", "service", "profile").annotate(n=Sum("visits")):
                new_visits[(r["establishment_id"], r["service"], r["profile"])] = r["n"]
            raw.delete()

        accounts = _accounts(day, memo)
        day_visitors, day_service_visitors = _visitors(day, day)
        week_visitors = _visitors(week_start(day), day)[0]
        month_visitors, month_service_visitors = _visitors(month, day)
        ProfileDay.objects.filter(day=day).delete()
        keys = set(accounts) | set(day_visitors) | set(month_visitors) | set(week_visitors)
        ProfileDay.objects.bulk_create(
            [
                ProfileDay(
                    establishment_id=establishment_id,
                    day=day,
                    profile=profile,
                    accounts=accounts.get((establishment_id, profile), [0, 0])[0],
                    activated=accounts.get((establishment_id, profile), [0, 0])[1],
                    visitors=day_visitors.get((establishment_id, profile), 0),
                    week_visitors=week_visitors.get((establishment_id, profile), 0),
                    month_visitors=month_visitors.get((establishment_id, profile), 0),
                )
                for establishment_id, profile in sorted(keys)
            ],
            batch_size=1000,
        )

        # Services of the day: visits added to what earlier runs counted, visitors recomputed.
        service_day = {
            (r.establishment_id, r.service, r.profile): r.visits
            for r in ServiceDay.objects.filter(day=day)
        }
        for key, n in new_visits.items():
            service_day[key] = service_day.get(key, 0) + n
        ServiceDay.objects.filter(day=day).delete()
        ServiceDay.objects.bulk_create(
            [
                ServiceDay(
                    establishment_id=est,
                    day=day,
                    service=service,
                    profile=profile,
                    visits=service_day.get((est, service, profile), 0),
                    visitors=day_service_visitors.get((est, service, profile), 0),
                )
                for est, service, profile in sorted(set(service_day) | set(day_service_visitors))
            ],
            batch_size=1000,
        )

        # The month so far.
        service_month = {
            (r.establishment_id, r.service, r.profile): r.visits
            for r in ServiceMonth.objects.filter(month=month)
        }
        for key, n in new_visits.items():
            service_month[key] = service_month.get(key, 0) + n
        ServiceMonth.objects.filter(month=month).delete()
        ServiceMonth.objects.bulk_create(
            [
                ServiceMonth(
                    establishment_id=est,
                    month=month,
                    service=service,
                    profile=profile,
                    visits=service_month.get((est, service, profile), 0),
                    visitors=month_service_visitors.get((est, service, profile), 0),
                )
                for est, service, profile in sorted(
                    set(service_month) | set(month_service_visitors)
                )
            ],
            batch_size=1000,
        )

        # Absenteeism: half-days of absence counted on that day, and the students absent.
        AbsenceDay.objects.filter(day=day).delete()
        half_days: dict[int, int] = defaultdict(int)
        for r in (
            HalfDay.objects.filter(day=day)
            .values("establishment_id", "afternoon")
            .annotate(n=Count("student_id", distinct=True))
        ):
            half_days[r["establishment_id"]] += r["n"]
        students = {
            r["establishment_id"]: r["n"]
            for r in HalfDay.objects.filter(day=day)
            .values("establishment_id")
            .annotate(n=Count("student_id", distinct=True))
        }
        AbsenceDay.objects.bulk_create(
            [
                AbsenceDay(
                    establishment_id=est, day=day, half_days=n, students=students.get(est, 0)
                )
                for est, n in sorted(half_days.items())
            ]
        )

        AggregatedDay.objects.update_or_create(day=day, defaults={"aggregated_at": timezone.now()})
        # The visitors' rows no week or month still needs (retention: see the module).
        DailyVisitor.objects.filter(day__lt=kept_from(max(day, last or day))).delete()
    return Aggregated(
        day=day,
        establishments=len({key[0] for key in keys}),
        visits=sum(new_visits.values()),
        visitors=sum(day_visitors.values()),
    )


def days_to_aggregate(today: date | None = None) -> list[date]:
    """Each day from the one after the last aggregated (or the first with raw inputs) up to
    yesterday."""
    today = today or timezone.localdate()
    last = last_aggregated()
    if last is not None:
        first = last + timedelta(days=1)
    else:
        firsts = [
            d
            for d in (
                VisitCount.objects.aggregate(first=Min("day"))["first"],
                DailyVisitor.objects.aggregate(first=Min("day"))["first"],
            )
            if d is not None
        ]
        if not firsts:
            return [today - timedelta(days=1)]
        first = min(firsts)
    return [first + timedelta(days=n) for n in range((today - first).days)]


def do_aggregate_pending(*, today: date | None = None) -> list[Aggregated]:
    """Aggregate every day not aggregated yet, up to yesterday, one day at a time."""
    memo: dict[str, Any] = {}
    return [do_aggregate_day(day=day, memo=memo) for day in days_to_aggregate(today)]
