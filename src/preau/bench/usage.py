"""The daily aggregation of the usage statistics (preau.usage) for a whole academy.

``python -m preau.bench.usage`` creates an academy of ``BENCH_USAGE_ACCOUNTS`` accounts
(default 100,000) in establishments of 1,000 members (students, guardians, teachers, staff),
one day of activity (each person's visitor row and the flushed visit counts, as the recorder
writes them), then times the aggregation of that day: seconds and queries. Prints JSON.
Everything is rolled back.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import timedelta
from typing import Any

ACCOUNTS = int(os.environ.get("BENCH_USAGE_ACCOUNTS", "100000"))
PER_ESTABLISHMENT = 1000
# profile, share of the members, chance of visiting that day
MIX = [
    ("National_ELV", 0.45, 0.55),
    ("National_TUT", 0.45, 0.25),
    ("National_ENS", 0.07, 0.8),
    ("National_DIR", 0.03, 0.9),
]


def _profile(draw: float) -> tuple[str, float]:
    """The national profile and daily chance of visiting for a draw in [0, 1)."""
    for national, share, chance in MIX:
        if draw < share:
            return national, chance
        draw -= share
    return MIX[-1][0], MIX[-1][2]


class _Rollback(Exception):
    pass


def _generate(day: Any) -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from preau.directory.models import Academy, Establishment, Membership, SchoolYear
    from preau.usage.models import DailyVisitor, VisitCount
    from preau.usage.nomenclature import BITS, profile_of

    rng = random.Random(7)  # noqa: S311 - benchmark data
    year = SchoolYear.current()
    academy = Academy.objects.create(code="BENCHUSAGE", name="Académie du banc d'essai")
    count = max(ACCOUNTS // PER_ESTABLISHMENT, 1)
    establishments = Establishment.objects.bulk_create(
        Establishment(academy=academy, uai=f"9{n:06d}X", name=f"Établissement {n}")
        for n in range(count)
    )
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        (
            user_model(username=f"bench.usage.{n}", password="!")  # noqa: S106 - unusable
            for n in range(ACCOUNTS)
        ),
        batch_size=5000,
    )
    memberships = []
    visitors = []
    visits: dict[tuple[int, str, str], int] = {}
    codes = list(BITS)
    for n, user in enumerate(users):
        establishment = establishments[min(n // PER_ESTABLISHMENT, count - 1)]
        national, chance = _profile(rng.random())
        memberships.append(
            Membership(person=user, establishment=establishment, school_year=year, profile=national)
        )
        if rng.random() < chance:
            profile = profile_of({national})
            used = set(rng.sample(codes[:12], rng.randint(1, 4))) | {"Page_ENT"}
            bits = 0
            for code in used:
                bits |= BITS[code]
                key = (establishment.pk, code, profile)
                visits[key] = visits.get(key, 0) + rng.randint(1, 6)
            visitors.append(
                DailyVisitor(
                    day=day,
                    establishment=establishment,
                    person=user,
                    profile=profile,
                    services=bits,
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=5000)
    DailyVisitor.objects.bulk_create(visitors, batch_size=5000)
    VisitCount.objects.bulk_create(
        (
            VisitCount(day=day, establishment_id=est, service=code, profile=profile, visits=n)
            for (est, code, profile), n in visits.items()
        ),
        batch_size=5000,
    )
    return {
        "accounts": ACCOUNTS,
        "establishments": count,
        "visitors": len(visitors),
        "visits": sum(visits.values()),
    }


def probe() -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from preau.usage.actions import do_aggregate_day

    day = timezone.localdate() - timedelta(days=1)
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            result["data"] = _generate(day)
            result["generate_s"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                do_aggregate_day(day=day)
            result["aggregate_s"] = round(time.perf_counter() - started, 2)
            result["queries"] = len(queries.captured_queries)
            raise _Rollback
    except _Rollback:
        pass
    return result


def describe(probe: dict[str, Any], say: Any) -> None:
    data = probe["data"]
    say("\nk) Usage statistics: one day of an academy aggregated (one process)")
    say(
        f"  {data['accounts']} accounts in {data['establishments']} establishments, "
        f"{data['visitors']} visitors and {data['visits']} visits that day "
        f"(generated in {probe['generate_s']:.0f} s)"
    )
    say(f"  the day aggregated in {probe['aggregate_s']:.2f} s, {probe['queries']} queries")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    import django

    django.setup()
    print(json.dumps(probe()))


if __name__ == "__main__":
    main()
