"""What the report-card tests start from: marks of 4e B in the first trimester (maths with
M. Bernard, French with Mme Garcia) and its council opened by the head."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from preau.core.actor import Actor
from preau.directory.models import (
    GroupMembership,
    Period,
    SchoolYear,
    Subject,
    TeachingAssignment,
    TeachingGroup,
)
from preau.grades.models import Assessment, Mark
from preau.reportcards import actions
from preau.reportcards.models import ClassCouncil, ReportCard

MATHS, FRENCH = "061300", "020700"
# Léa: maths 15 and 17 (16,00), French 13,5. Noah: maths 12, French 9.
MARKS = {
    MATHS: [("lea", "15"), ("noah", "12"), ("lea", "17"), ("noah", "12")],
    FRENCH: [("lea", "13.5"), ("noah", "9")],
}


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def first_period(establishment: Any) -> Period:
    return Period.objects.get(
        establishment=establishment, school_year=SchoolYear.current(), number=1
    )


def subject(cast: Any, code: str) -> Subject:
    return Subject.objects.get(establishment=cast.moulin, code=code)


def give_marks(cast: Any, period: Period | None = None) -> None:
    period = period or first_period(cast.moulin)
    year = SchoolYear.current()
    published = timezone.now() - timedelta(days=1)
    for code, marks in MARKS.items():
        teacher = cast.bernard if code == MATHS else cast.garcia
        for index in range(0, len(marks), 2):
            assessment = Assessment.objects.create(
                establishment=cast.moulin,
                school_year=year,
                school_class=cast.class_4b,
                subject=subject(cast, code),
                period=period,
                teacher=teacher,
                title=f"Devoir {index // 2 + 1}",
                date=max(period.start_date, min(period.end_date, date.today())),
                publish_at=published,
            )
            for name, value in marks[index : index + 2]:
                Mark.objects.create(
                    establishment=cast.moulin,
                    assessment=assessment,
                    student=getattr(cast, name),
                    value=Decimal(value),
                )


def open_council(cast: Any, *, marks: bool = True) -> ClassCouncil:
    period = first_period(cast.moulin)
    if marks:
        give_marks(cast, period)
    return actions.do_open_council(
        actor=actor_for(cast.principal_moulin), period=period, school_class=cast.class_4b
    )


def card_of(council: ClassCouncil, student: Any) -> ReportCard:
    return ReportCard.objects.get(council=council, student=student)


def publish(cast: Any, council: ClassCouncil) -> ClassCouncil:
    head = actor_for(cast.principal_moulin)
    actions.do_validate(actor=head, council=council)
    return actions.do_publish(actor=head, council=council)


SPANISH, TECHNOLOGY = "030602", "070200"


def make_groups(cast: Any) -> tuple[TeachingGroup, TeachingGroup]:
    """Spanish with Mme Garcia for Léa (4e B) and Jade (3e A), a group across two classes;
    technology with M. Bernard for Noah (4e B) alone."""
    year = SchoolYear.current()
    made = []
    for name, code, teacher, students in (
        ("Espagnol 4e-3e", SPANISH, cast.garcia, [cast.lea, cast.jade]),
        ("Technologie 4e B", TECHNOLOGY, cast.bernard, [cast.noah]),
    ):
        group = TeachingGroup.objects.create(establishment=cast.moulin, school_year=year, name=name)
        for student in students:
            GroupMembership.objects.create(establishment=cast.moulin, group=group, student=student)
        TeachingAssignment.objects.create(
            establishment=cast.moulin,
            school_year=year,
            teacher=teacher,
            subject=subject(cast, code),
            group=group,
        )
        made.append(group)
    return made[0], made[1]


def open_class(cast: Any, school_class: Any) -> ClassCouncil:
    return actions.do_open_council(
        actor=actor_for(cast.principal_moulin),
        period=first_period(cast.moulin),
        school_class=school_class,
    )
