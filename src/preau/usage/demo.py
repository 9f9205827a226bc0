"""The demo's usage: three weeks of simulated activity before the demo's day, aggregated.

Each member of the demo schools gets a habit drawn once (whether they use the portal this month)
and a chance of visiting each day by profile, lower at weekends; guardians come back about 60 %
of them in a month, students and teachers most days of school. The raw inputs are written as the
recorder would write them and the same aggregation runs, so the pages show real figures.
Deterministic (a fixed seed) and built once: nothing is added when a day of the window is
already aggregated.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from preau.directory.models import Membership, SchoolYear
from preau.usage.actions import do_aggregate_day
from preau.usage.models import AggregatedDay, DailyVisitor, VisitCount
from preau.usage.nomenclature import (
    BITS,
    GUARDIAN,
    STAFF,
    STUDENT,
    TEACHER,
    profile_of,
)

DAYS = 21
SEED = 2026
# profile: (share using the portal this month, chance a day of the week, at the weekend)
HABITS = {
    STUDENT: (0.92, 0.55, 0.3),
    GUARDIAN: (0.62, 0.22, 0.12),
    TEACHER: (0.97, 0.8, 0.25),
    STAFF: (1.0, 0.9, 0.02),
}
# profile: services with their weights (codes of the nomenclature)
SERVICES = {
    STUDENT: {
        "Page_ENT": 10,
        "Cahier_Textes": 8,
        "Notes": 6,
        "Courrier_Electronique": 3,
        "Stockage_Partage": 2,
        "Casier": 2,
        "Gestion_Temps": 3,
        "Ressources_En_Ligne": 2,
        "Travail_Collaboratif": 1,
    },
    GUARDIAN: {
        "Page_ENT": 10,
        "Notes": 7,
        "Absences": 4,
        "Vie_Scolaire": 2,
        "Cahier_Textes": 3,
        "Courrier_Electronique": 3,
        "Actualites": 2,
        "RencontresParentsProfesseurs": 1,
    },
    TEACHER: {
        "Page_ENT": 10,
        "Absences": 6,
        "Gestion_Temps": 3,
        "Cahier_Textes": 8,
        "Notes": 6,
        "Courrier_Electronique": 5,
        "Stockage_Partage": 3,
        "Casier": 2,
    },
    STAFF: {
        "Page_ENT": 10,
        "Absences": 4,
        "Vie_Scolaire": 2,
        "Courrier_Electronique": 5,
        "Actualites": 2,
        "Administration": 3,
        "Annuaire": 2,
    },
}


def build(cast: Any) -> None:
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    if AggregatedDay.objects.filter(day__in=days).exists():
        return
    rng = random.Random(SEED)  # noqa: S311 - demo data
    held: dict[tuple[int, int], set[str]] = {}
    for establishment_id, person_id, profile in Membership.objects.filter(
        school_year=SchoolYear.current(), is_active=True
    ).values_list("establishment_id", "person_id", "profile"):
        held.setdefault((establishment_id, person_id), set()).add(profile)
    people = []
    for (establishment_id, person_id), profiles in sorted(held.items()):
        profile = profile_of(profiles)
        share, weekday, weekend = HABITS.get(profile, (0.5, 0.2, 0.05))
        if rng.random() < share:
            people.append((establishment_id, person_id, profile, weekday, weekend))

    visitors: list[DailyVisitor] = []
    visits: Counter[tuple[Any, int, str, str]] = Counter()
    seen: set[int] = set()
    for day in days:
        weekend = day.weekday() >= 5
        for establishment_id, person_id, profile, on_weekday, on_weekend in people:
            if rng.random() >= (on_weekend if weekend else on_weekday):
                continue
            weights = SERVICES.get(profile, {"Page_ENT": 1})
            codes = list(weights)
            used = set(rng.choices(codes, weights=list(weights.values()), k=rng.randint(1, 4)))
            used.add("Page_ENT")  # every visit starts at the home page
            services = 0
            for code in used:
                services |= BITS[code]
                visits[(day, establishment_id, code, profile)] += rng.randint(1, 5)
            visitors.append(
                DailyVisitor(
                    day=day,
                    establishment_id=establishment_id,
                    person_id=person_id,
                    profile=profile,
                    services=services,
                )
            )
            seen.add(person_id)
    DailyVisitor.objects.bulk_create(visitors, batch_size=5000, ignore_conflicts=True)
    VisitCount.objects.bulk_create(
        [
            VisitCount(day=day, establishment_id=est, service=code, profile=profile, visits=n)
            for (day, est, code, profile), n in visits.items()
        ],
        batch_size=5000,
    )
    # Those who came have logged in: their accounts count as activated.
    first_day = timezone.make_aware(datetime.combine(days[0], time(8)))
    get_user_model().objects.filter(pk__in=seen, last_login__isnull=True).update(
        last_login=first_day
    )
    memo: dict[str, Any] = {}
    for day in days:
        do_aggregate_day(day=day, memo=memo)
