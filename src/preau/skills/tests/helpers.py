"""Assessments of the cast that evaluate skills, for the tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from preau.directory.models import Period, SchoolYear, Subject
from preau.grades.models import Assessment
from preau.skills.models import AssessedSkill, Component, Skill, SkillResult

MATHS = "061300"
FRENCH = "020700"


def period(cast: Any, number: int = 1) -> Period:
    return Period.objects.get(
        establishment=cast.moulin, school_year=SchoolYear.current(), number=number
    )


def subject(cast: Any, code: str = MATHS) -> Subject:
    return Subject.objects.get(establishment=cast.moulin, code=code)


def assessment(
    cast: Any,
    title: str = "Équations",
    *,
    code: str = MATHS,
    school_class: Any = None,
    number: int = 1,
    graded: bool = True,
    published: bool = True,
    teacher: Any = None,
) -> Assessment:
    """An assessment of ``school_class`` (4e B by default) in period ``number``; published
    yesterday unless told otherwise."""
    chosen = period(cast, number)
    return Assessment.objects.create(
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        school_class=school_class or cast.class_4b,
        subject=subject(cast, code),
        period=chosen,
        teacher=teacher or (cast.garcia if code == FRENCH else cast.bernard),
        title=title,
        date=chosen.start_date + timedelta(days=10),
        graded=graded,
        publish_at=timezone.now() - timedelta(days=1) if published else None,
    )


def skill(cast: Any, label: str = "Résoudre une équation", component: str = "D1.3") -> Skill:
    return Skill.objects.get_or_create(
        establishment=cast.moulin,
        subject=subject(cast),
        component=Component.objects.get(code=component),
        label=label,
        defaults={"author": cast.bernard},
    )[0]


def column(found: Assessment, *, item: Skill | None = None, component: str = "D1.3") -> Any:
    return AssessedSkill.objects.create(
        establishment=found.establishment,
        assessment=found,
        component=item.component if item else Component.objects.get(code=component),
        skill=item,
        position=AssessedSkill.objects.filter(assessment=found).count() + 1,
    )


def level(assessed: AssessedSkill, student: Any, value: int | None, code: str = "") -> SkillResult:
    return SkillResult.objects.create(
        establishment=assessed.establishment,
        school_year=assessed.assessment.school_year,
        assessed=assessed,
        student=student,
        level=value,
        code=code,
    )


def today() -> date:
    return timezone.localdate()
