"""The demo's grades: a term of marks in 4e B, 3e A and two more classes of the collège, in
their main subjects, with realistic spreads, a few absences (ABS) and exemptions (DISP).

Deterministic: each student's level and each mark are drawn from generators seeded by names
(usernames, class and subject codes), never by database ids. Dated over the current term
(the latest grading period begun three weeks ago or more); marks of assessments more than two
days old are published (the day after, at 18:00), the latest maths test of 4e B waits for
tomorrow's publication. Idempotent: nothing is added once 4e B has an assessment.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from preau.directory.models import Period, SchoolClass, TeachingAssignment
from preau.grades import publication
from preau.grades.models import Assessment, AssessmentKind, Mark, MarkCode
from preau.grades.selectors import students_of
from preau.notifications.actions import quiet_hours_of
from preau.timetable.generation import PARIS

# Subject code → the assessments of the term: (title, scale, coefficient, kind).
PLANS = {
    "061300": [
        ("Nombres relatifs", 20, 1, AssessmentKind.NORMAL),
        ("Interrogation : fractions", 10, 1, AssessmentKind.NORMAL),
        ("Devoir maison", 20, "0.5", AssessmentKind.OPTIONAL),
        ("Contrôle : calcul littéral", 20, 2, AssessmentKind.NORMAL),
    ],
    "020700": [
        ("Dictée", 20, 1, AssessmentKind.NORMAL),
        ("Rédaction : le récit", 20, 2, AssessmentKind.NORMAL),
        ("Lecture cursive", 10, 1, AssessmentKind.NORMAL),
    ],
    "030201": [
        ("Vocabulary test", 20, 1, AssessmentKind.NORMAL),
        ("Compréhension orale", 20, 1, AssessmentKind.NORMAL),
        ("Projet : exposé", 20, 1, AssessmentKind.BONUS),
    ],
    "040600": [
        ("Les Lumières", 20, 1, AssessmentKind.NORMAL),
        ("Croquis : la France", 20, 1, AssessmentKind.NORMAL),
    ],
    "062900": [
        ("La digestion", 20, 1, AssessmentKind.NORMAL),
        ("TP : observation", 10, 1, AssessmentKind.NORMAL),
    ],
    "100100": [
        ("Demi-fond", 20, 1, AssessmentKind.NORMAL),
        ("Acrosport", 20, 1, AssessmentKind.NORMAL),
    ],
}
# Levels the demo's story relies on: Léa does well, Noah struggles in maths.
LEVELS = {"eleve.lea": 15.0, "eleve.noah": 10.5, "eleve.jade": 13.0}
HALF = Decimal("0.5")


def _term(establishment: Any, school_year: Any, today: date) -> Period | None:
    periods = list(Period.objects.filter(establishment=establishment, school_year=school_year))
    begun = [p for p in periods if p.start_date <= today - timedelta(days=21)]
    if begun:
        return begun[-1]
    return periods[0] if periods else None


def _days(term: Period, today: date, count: int, offset: int) -> list[date]:
    """``count`` school days spread over the term up to yesterday, shifted per subject."""
    last = min(term.end_date, today - timedelta(days=1))
    first = term.start_date + timedelta(days=7)
    if last <= first:
        last = first + timedelta(days=28)
    span = (last - first).days
    days = []
    for index in range(count):
        day = first + timedelta(days=span * (index + 1) // (count + 1) + offset % 3)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        days.append(day)
    return days


def _mark(rng: random.Random, level: float, difficulty: float, scale: int) -> Decimal:
    on_twenty = max(0.0, min(20.0, rng.gauss(level + difficulty, 2.6)))
    value = Decimal(str(on_twenty * scale / 20)) / HALF
    return (value.quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF).normalize()


def _classes(cast: Any) -> list[SchoolClass]:
    others = list(
        SchoolClass.objects.filter(establishment=cast.moulin, school_year=cast.class_4b.school_year)
        .exclude(pk__in=[cast.class_4b.pk, cast.class_3a.pk])
        .order_by("name")[:2]
    )
    return [cast.class_4b, cast.class_3a, *others]


@transaction.atomic
def build(cast: Any) -> None:
    if Assessment.objects.filter(school_class=cast.class_4b).exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    year = cast.class_4b.school_year
    term = _term(cast.moulin, year, today)
    if term is None:
        return
    quiet = quiet_hours_of(cast.moulin)
    upcoming = publication.publication_time(cast.moulin, now)
    marks: list[Mark] = []
    for school_class in _classes(cast):
        students = students_of(school_class.pk, None, year.pk)
        assignments = (
            TeachingAssignment.objects.filter(
                school_class=school_class, subject__code__in=list(PLANS)
            )
            .select_related("subject", "teacher")
            .order_by("subject__code", "teacher__username")
        )
        seen: set[int] = set()
        for assignment in assignments:
            if assignment.subject_id in seen:
                continue
            seen.add(assignment.subject_id)
            code = assignment.subject.code
            plan = PLANS[code]
            days = _days(term, today, len(plan), int(code) % 7)
            for (title, scale, coefficient, kind), day in zip(plan, days, strict=True):
                seed = f"{school_class.name}|{code}|{title}"
                rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
                difficulty = rng.gauss(0, 1.3)
                published = day <= today - timedelta(days=2)
                latest_maths_4b = (
                    school_class.pk == cast.class_4b.pk
                    and code == "061300"
                    and title == plan[-1][0]
                )
                if published and not latest_maths_4b:
                    publish_at = datetime.combine(day + timedelta(days=1), time(18), tzinfo=PARIS)
                    publish_at = publication.allowed(publish_at, quiet)
                else:
                    publish_at = upcoming
                assessment = Assessment.objects.create(
                    establishment=cast.moulin,
                    school_year=year,
                    school_class=school_class,
                    subject=assignment.subject,
                    period=term,
                    teacher=assignment.teacher,
                    title=title,
                    date=day,
                    scale=Decimal(scale),
                    coefficient=Decimal(str(coefficient)),
                    kind=kind,
                    publish_at=publish_at,
                    announced=True,
                )
                for student in students:
                    draw = random.Random(f"{seed}|{student.username}")  # noqa: S311
                    by_name = random.Random(student.username)  # noqa: S311
                    level = LEVELS.get(student.username, by_name.gauss(12.5, 3))
                    roll = draw.random()
                    value, mark_code = None, ""
                    if roll < 0.035:
                        mark_code = MarkCode.ABSENT
                    elif code == "100100" and roll < 0.06:
                        mark_code = MarkCode.EXEMPT
                    elif kind == AssessmentKind.OPTIONAL and roll < 0.4:
                        continue  # an optional homework not everyone hands in
                    else:
                        value = _mark(draw, level, difficulty, scale)
                    marks.append(
                        Mark(
                            establishment=cast.moulin,
                            assessment=assessment,
                            student=student,
                            value=value,
                            code=mark_code,
                            updated_by=assignment.teacher,
                            updated_at=publish_at - timedelta(hours=30),
                        )
                    )
    Mark.objects.bulk_create(marks, batch_size=500)
