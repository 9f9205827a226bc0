"""The demo's skills: a few skills of maths (M. Bernard) and French (Mme Garcia), evaluated in
assessments of 4e B this term, with levels for every student of the class.

Built after grades' demo (INSTALLED_APPS order): the skills go into up to two of its 4e B
assessments per subject in the current period, and into one skills-only assessment per
subject created here through grades' action. Levels are entered through this app's action,
as on the day after each assessment, so that they are published by grades' rule and Léa sees
her summary. Idempotent: nothing is added once a 4e B assessment evaluates a skill.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from preau.core.actor import Actor
from preau.directory.models import Subject
from preau.grades import actions as grades_actions
from preau.grades import selectors as grades_selectors
from preau.grades.models import Assessment
from preau.skills import actions, selectors
from preau.skills.models import AssessedSkill, Component, Skill

MATHS, FRENCH = "061300", "020700"
# subject code, teacher attribute, skills (label, component), the skills-only assessment.
SUBJECTS = [
    (
        MATHS,
        "bernard",
        [
            ("Résoudre une équation du premier degré", "D1.3"),
            ("Modéliser une situation par un calcul", "D4"),
            ("Présenter une démarche et la justifier", "D1.3"),
        ],
        "Compétences : calcul littéral",
    ),
    (
        FRENCH,
        "garcia",
        [
            ("Lire et comprendre un texte littéraire", "D1.1"),
            ("Rédiger un texte cohérent et correct", "D1.1"),
            ("Organiser son travail et ses brouillons", "D2"),
        ],
        "Compétences : lecture suivie",
    ),
]
# Léa's levels, column after column: mostly satisfactory, one fragile, one very good.
LEA_LEVELS = ["3", "4", "3", "2", "3", "3", "4", "3"]


def _day(period: Any, today: date, days_back: int) -> date:
    last = min(today, period.end_date)
    return max(period.start_date, last - timedelta(days=days_back))


def _level(student_index: int, column_index: int, student: Any, lea: Any) -> str:
    if student.pk == lea.pk:
        return LEA_LEVELS[column_index % len(LEA_LEVELS)]
    if (student_index * 7 + column_index) % 23 == 5:
        return "ABS"
    return str(1 + (student_index * 3 + column_index * 2 + len(student.last_name)) % 4)


@transaction.atomic
def build(cast: Any) -> None:
    if AssessedSkill.objects.filter(assessment__school_class=cast.class_4b).exists():
        return
    today = timezone.localdate()
    periods = grades_selectors.periods(cast.moulin.pk, cast.class_4b.school_year_id)
    # The term grades' demo fills: the latest period begun three weeks ago or more.
    begun = [p for p in periods if p.start_date <= today - timedelta(days=21)]
    period = begun[-1] if begun else (periods[0] if periods else None)
    if period is None:
        return
    components = {c.code: c for c in Component.objects.all()}
    for offset, (code, teacher_name, skills, title) in enumerate(SUBJECTS):
        teacher = getattr(cast, teacher_name)
        actor = Actor(teacher)
        subject = Subject.objects.get(establishment=cast.moulin, code=code)
        items = [
            Skill.objects.get_or_create(
                establishment=cast.moulin,
                subject=subject,
                component=components[component],
                label=label,
                defaults={"author": teacher},
            )[0]
            for label, component in skills
        ]
        found = list(
            Assessment.objects.filter(
                school_class=cast.class_4b, subject=subject, period=period, date__lt=today
            ).order_by("date")[:2]
        )
        found.append(
            grades_actions.do_create_assessment(
                actor=actor,
                subject=subject,
                school_class=cast.class_4b,
                data=grades_actions.AssessmentInput(
                    title=title, date=_day(period, today, 12 + 4 * offset), graded=False
                ),
            )
        )
        for number, assessment in enumerate(found):
            chosen = items if number == len(found) - 1 else items[number % 2 :: 2]
            for item in chosen:
                actions.do_attach(
                    actor=actor, assessment=assessment, component=item.component, skill=item
                )
            if number == len(found) - 1:
                actions.do_attach(actor=actor, assessment=assessment, component=components["D3"])
            _enter_levels(actor, assessment, cast.lea)


def _enter_levels(actor: Actor, assessment: Assessment, lea: Any) -> None:
    columns = selectors.assessed_skills(assessment)
    students = grades_selectors.audience_students(assessment)
    cells = {
        (str(column.public_id), str(student.public_id)): actions.Cell(_level(i, j, student, lea))
        for i, student in enumerate(students)
        for j, column in enumerate(columns)
    }
    # Entered the day after the assessment: published since by grades' rule.
    entered = timezone.make_aware(
        datetime.combine(assessment.date + timedelta(days=1), time(17, 0))
    )
    actions.do_save_levels(
        actor=actor,
        assessment=assessment,
        cells=cells,
        columns=columns,
        students=students,
        now=entered,
    )
