"""Raw inputs for the tests: visitors and visits as the recorder writes them."""

from __future__ import annotations

from datetime import date
from typing import Any

from preau.directory.models import Membership, Profile, SchoolYear
from preau.usage.models import DailyVisitor, VisitCount
from preau.usage.nomenclature import BITS, STUDENT


def students_of(establishment: Any, count: int) -> list[Any]:
    """``count`` students of the establishment's current year, enough for any test."""
    from preau.accounts.models import User

    year = SchoolYear.current()
    existing = [
        m.person
        for m in Membership.objects.filter(
            establishment=establishment, school_year=year, profile=Profile.STUDENT
        ).select_related("person")
    ]
    for n in range(len(existing), count):
        person = User.objects.create(username=f"usage.{establishment.uai}.{n}")
        Membership.objects.create(
            person=person, establishment=establishment, school_year=year, profile=Profile.STUDENT
        )
        existing.append(person)
    return existing[:count]


def visit(
    establishment: Any,
    people: list[Any],
    day: date,
    services: tuple[str, ...] = ("Page_ENT",),
    visits: int = 3,
    profile: str = STUDENT,
) -> None:
    """Each of ``people`` used ``services`` on ``day``, ``visits`` pages each."""
    bits = 0
    for code in services:
        bits |= BITS[code]
    DailyVisitor.objects.bulk_create(
        [
            DailyVisitor(
                day=day, establishment=establishment, person=p, profile=profile, services=bits
            )
            for p in people
        ]
    )
    VisitCount.objects.bulk_create(
        [
            VisitCount(
                day=day,
                establishment=establishment,
                service=code,
                profile=profile,
                visits=visits * len(people),
            )
            for code in services
        ]
    )
