"""What the report-card tests start from: marks of 4e B in the first trimester (maths with
M. Bernard, French with Mme Garcia) and its council opened by the head."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from preau.core.actor import Actor
from preau.directory.models import Period, SchoolYear, Subject
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
