"""The school-year rollover of one establishment: the current year is closed (kept to read,
never written), the next one is prepared with its periods, and the staff's memberships are
carried into it. Students, guardians, classes and enrolments of the new year come from the
directory feed, not from here. Running it twice changes nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from preau.audit.actions import record
from preau.core.actor import current_school_year
from preau.directory import versions
from preau.directory.models import (
    ClosedYear,
    Establishment,
    Membership,
    Period,
    Profile,
    SchoolYear,
)

CARRIED_PROFILES = [p for p in Profile if p not in (Profile.STUDENT, Profile.GUARDIAN)]


@dataclass
class Rollover:
    """What the rollover does (or, in a dry run, would do)."""

    closing: SchoolYear
    next_label: str
    already_closed: bool
    periods: list[tuple[int, str, date, date]] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)


def _a_year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def plan_rollover(establishment: Establishment, closing: SchoolYear | None = None) -> Rollover:
    """Read what the rollover of ``establishment`` would write; writes nothing."""
    closing = closing or current_school_year()
    label, _start, _end = SchoolYear.bounds_for(closing.end_date + timedelta(days=1))
    following = SchoolYear.objects.filter(label=label).first()
    plan = Rollover(
        closing=closing,
        next_label=label,
        already_closed=ClosedYear.objects.filter(
            establishment=establishment, school_year=closing
        ).exists(),
    )
    existing_periods: set[int] = set()
    carried: set[tuple[int, str]] = set()
    if following is not None:
        existing_periods = set(
            Period.objects.filter(establishment=establishment, school_year=following).values_list(
                "number", flat=True
            )
        )
        carried = set(
            Membership.objects.filter(
                establishment=establishment, school_year=following
            ).values_list("person_id", "profile")
        )
    # The new year's periods follow the closing year's, a year later.
    for period in Period.objects.filter(establishment=establishment, school_year=closing):
        if period.number not in existing_periods:
            plan.periods.append(
                (
                    period.number,
                    period.kind,
                    _a_year_later(period.start_date),
                    _a_year_later(period.end_date),
                )
            )
    plan.memberships = [
        m
        for m in Membership.objects.filter(
            establishment=establishment,
            school_year=closing,
            is_active=True,
            profile__in=CARRIED_PROFILES,
        ).select_related("person")
        if (m.person_id, m.profile) not in carried
    ]
    return plan


def do_rollover(
    *, actor: Any, establishment: Establishment, closing: SchoolYear | None = None
) -> Rollover:
    """Close the current school year of ``establishment`` and prepare the next one (audited).

    A second run finds the year closed, the periods and memberships there, and writes nothing.
    """
    with transaction.atomic():
        # One rollover of an establishment at a time.
        Establishment.objects.select_for_update().filter(pk=establishment.pk).first()
        plan = plan_rollover(establishment, closing)
        if plan.already_closed and not plan.periods and not plan.memberships:
            return plan
        _label, start, end = SchoolYear.bounds_for(plan.closing.end_date + timedelta(days=1))
        following, _created = SchoolYear.objects.get_or_create(
            label=plan.next_label, defaults={"start_date": start, "end_date": end}
        )
        Period.objects.bulk_create(
            [
                Period(
                    establishment=establishment,
                    school_year=following,
                    number=number,
                    kind=kind,
                    start_date=first,
                    end_date=last,
                )
                for number, kind, first, last in plan.periods
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    person_id=m.person_id,
                    establishment=establishment,
                    school_year=following,
                    profile=m.profile,
                    functions=m.functions,
                )
                for m in plan.memberships
            ]
        )
        if not plan.already_closed:
            ClosedYear.objects.create(
                establishment=establishment,
                school_year=plan.closing,
                closed_by=getattr(actor, "user", actor),
            )
        record(
            actor=actor,
            establishment=establishment,
            action="directory.year.close",
            before={"year": plan.closing.label, "closed": plan.already_closed},
            after={
                "year": plan.closing.label,
                "closed": True,
                "next_year": following.label,
                "periods_created": len(plan.periods),
                "memberships_carried": len(plan.memberships),
            },
        )
        versions.bump()
    return plan
