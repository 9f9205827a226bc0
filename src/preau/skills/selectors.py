"""Reads of the skills: a student's summary per period and per cycle, a class's summary, an
assessment's grid.

Callers pass objects the policies already let them read, and say whether the reader is family
(``published_only``: only the results of assessments whose marks are published, grades' rule).
Each function runs a fixed number of queries whatever the number of students, components and
assessments (the count is in its docstring); the resulting level is rules.py's.

Report cards show a student's summary for a period with ``student_summary(student, period)``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from preau.directory.models import Enrolment, Period
from preau.grades.models import Assessment
from preau.skills.cycles import CYCLE_LABELS, cycle_of, levels_of
from preau.skills.models import AssessedSkill, Component, Mastery, SkillResult
from preau.skills.rules import resulting_level


@dataclass
class Obtained:
    """One level a student obtained, with what it was obtained on."""

    level: int
    label: str  # the skill's wording, or the component's when evaluated directly
    assessment: str
    subject: str
    date: Any


@dataclass
class ComponentLine:
    component: Component
    obtained: list[Obtained] = field(default_factory=list)

    @property
    def levels(self) -> list[int]:
        return [o.level for o in self.obtained]

    @property
    def result(self) -> int | None:
        return resulting_level(self.levels)

    @property
    def result_label(self) -> str:
        return str(Mastery(self.result).label) if self.result else ""

    @property
    def counts(self) -> list[tuple[int, int]]:
        """How many times each level was obtained, 1 to 4."""
        levels = self.levels
        return [(level, levels.count(level)) for level in Mastery.values]


@dataclass
class Summary:
    lines: list[ComponentLine]

    @property
    def is_empty(self) -> bool:
        return not any(line.obtained for line in self.lines)


def published(now: datetime | None = None) -> Q:
    """Results of assessments whose marks are published (a condition on results): grades'
    publication time, the same for graded assessments and those evaluating skills only."""
    return Q(assessed__assessment__publish_at__lte=now or timezone.now())


def _results(condition: Q, published_only: bool, now: datetime | None) -> QuerySet[SkillResult]:
    rows = SkillResult.objects.filter(condition, level__isnull=False)
    if published_only:
        rows = rows.filter(published(now))
    return rows.select_related(
        "assessed__skill", "assessed__assessment__subject", "assessed__component"
    ).order_by("assessed__assessment__date", "assessed__position", "pk")


def _summary(rows: list[SkillResult], components: list[Component]) -> Summary:
    lines = {c.pk: ComponentLine(c) for c in components}
    for row in rows:
        assessed = row.assessed
        assessment = assessed.assessment
        lines[assessed.component_id].obtained.append(
            Obtained(
                level=row.level,
                label=assessed.label,
                assessment=assessment.title,
                subject=assessment.subject.label,
                date=assessment.date,
            )
        )
    return Summary([lines[c.pk] for c in components])


def components() -> list[Component]:
    """The eight components, in order. 1 query."""
    return list(Component.objects.all())


def student_summary(
    student: Any,
    period: Period,
    *,
    published_only: bool = False,
    now: datetime | None = None,
    components_: list[Component] | None = None,
) -> Summary:
    """The levels ``student`` obtained in ``period``, per component, and each component's
    resulting level. 2 queries (1 when the components are passed)."""
    rows = list(
        _results(
            Q(student_id=student.pk, assessed__assessment__period_id=period.pk),
            published_only,
            now,
        )
    )
    return _summary(rows, components_ if components_ is not None else components())


@dataclass
class CycleSummary:
    cycle: int | None
    years: list[Any]  # the school years of the cycle the student was enrolled in
    summary: Summary

    @property
    def label(self) -> str:
        return str(CYCLE_LABELS.get(self.cycle, "")) if self.cycle else ""


def cycle_summary(
    student: Any,
    enrolment: Enrolment | None,
    *,
    published_only: bool = False,
    now: datetime | None = None,
    components_: list[Component] | None = None,
) -> CycleSummary:
    """The levels ``student`` obtained over the school years of the cycle of ``enrolment``
    (this year's class) — in any establishment — per component. 3 queries (2 when the
    components are passed); none for a level outside cycles 3 and 4."""
    cycle = cycle_of(enrolment.school_class.level.code) if enrolment else None
    if cycle is None:
        return CycleSummary(None, [], Summary([]))
    enrolments = list(
        Enrolment.objects.filter(
            student_id=student.pk, school_class__level__code__in=levels_of(cycle)
        )
        .select_related("school_year")
        .order_by("school_year__start_date")
    )
    years = list({e.school_year_id: e.school_year for e in enrolments}.values())
    rows = list(
        _results(
            Q(student_id=student.pk, school_year_id__in=[y.pk for y in years]),
            published_only,
            now,
        )
    )
    summary = _summary(rows, components_ if components_ is not None else components())
    return CycleSummary(cycle, years, summary)


@dataclass
class ClassRow:
    student: Any
    results: list[int | None]  # the resulting level per component, in the components' order


def class_summary(
    students: list[Any], period: Period, components_: list[Component]
) -> list[ClassRow]:
    """Each student's resulting level per component in ``period``. 1 query."""
    levels: dict[tuple[int, int], list[int]] = defaultdict(list)
    rows = SkillResult.objects.filter(
        student_id__in=[s.pk for s in students],
        assessed__assessment__period_id=period.pk,
        level__isnull=False,
    ).values_list("student_id", "assessed__component_id", "level")
    for student_id, component_id, level in rows:
        levels[(student_id, component_id)].append(level)
    return [
        ClassRow(s, [resulting_level(levels.get((s.pk, c.pk), [])) for c in components_])
        for s in students
    ]


# -- an assessment's grid -------------------------------------------------------------------------


def assessed_skills(assessment: Assessment) -> list[AssessedSkill]:
    """The columns of the grid, in order. 1 query."""
    return list(
        AssessedSkill.objects.filter(assessment_id=assessment.pk).select_related(
            "skill", "component"
        )
    )


def grid_results(columns: list[AssessedSkill]) -> dict[tuple[int, int], SkillResult]:
    """The results of these columns by (assessed skill id, student id). 1 query."""
    rows = SkillResult.objects.filter(assessed_id__in=[c.pk for c in columns])
    return {(r.assessed_id, r.student_id): r for r in rows}
