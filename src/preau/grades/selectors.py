"""Reads of the grades: a student's marks and averages, a class's table, an assessment's grid.

Callers pass objects the policies already let them read. Each function runs a fixed number of
queries whatever the number of students, subjects and assessments (the count is in its
docstring); the arithmetic is averages.py's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from preau.directory.models import Enrolment, GroupMembership, Period, SchoolClass, Subject
from preau.grades import averages
from preau.grades.models import Assessment, Mark, SubjectCoefficient

User = get_user_model()
ONE = Decimal(1)


def entry_of(mark: Mark) -> averages.Entry:
    """A mark (with its assessment loaded) as the averages see it."""
    assessment = mark.assessment
    return averages.Entry(
        value=mark.value if not mark.code else None,
        scale=assessment.scale,
        coefficient=assessment.coefficient,
        kind=assessment.kind,
    )


def subject_coefficients(school_class: SchoolClass) -> dict[int, Decimal]:
    """Each subject's weight in the class's overall average: the class's own, else its level's,
    else 1 (absent from the dict). 1 query."""
    rows = SubjectCoefficient.objects.filter(
        Q(school_class_id=school_class.pk)
        | Q(
            level_id=school_class.level_id,
            establishment_id=school_class.establishment_id,
            school_year_id=school_class.school_year_id,
        )
    )
    found: dict[int, Decimal] = {}
    for row in sorted(rows, key=lambda r: r.school_class_id is not None):
        found[row.subject_id] = row.coefficient  # the class's row comes last and wins
    return found


def audience_students(assessment: Assessment) -> list[Any]:
    """The students of an assessment's class or group, by name (1 query)."""
    return students_of(assessment.school_class_id, assessment.group_id, assessment.school_year_id)


def students_of(
    school_class_id: int | None, group_id: int | None, school_year_id: int
) -> list[Any]:
    """The students of a class (or a group), by name (1 query)."""
    if school_class_id is not None:
        ids = Enrolment.objects.filter(
            school_class_id=school_class_id, school_year_id=school_year_id
        ).values("student_id")
    else:
        ids = GroupMembership.objects.filter(group_id=group_id).values("student_id")
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .only("pk", "public_id", "first_name", "last_name")
        .order_by("last_name", "first_name", "pk")
    )


def _period_marks(period: Period, student_ids: list[int], now: datetime | None) -> QuerySet[Mark]:
    marks = Mark.objects.filter(
        student_id__in=student_ids, assessment__period=period, assessment__graded=True
    )
    if now is not None:
        marks = marks.filter(assessment__publish_at__lte=now)
    return marks.select_related("assessment__subject").order_by(
        "assessment__subject__label", "assessment__date", "assessment__created_at"
    )


@dataclass
class SubjectLine:
    subject: Subject
    coefficient: Decimal
    marks: list[Mark] = field(default_factory=list)
    average: Decimal | None = None
    class_average: Decimal | None = None


@dataclass
class StudentReport:
    period: Period
    subjects: list[SubjectLine]
    overall: Decimal | None
    class_overall: Decimal | None = None


def _lines(marks: list[Mark], coefficients: dict[int, Decimal]) -> list[SubjectLine]:
    lines: dict[int, SubjectLine] = {}
    for mark in marks:
        subject = mark.assessment.subject
        line = lines.get(subject.pk)
        if line is None:
            line = lines[subject.pk] = SubjectLine(subject, coefficients.get(subject.pk, ONE))
        line.marks.append(mark)
    for line in lines.values():
        line.average = averages.subject_average(entry_of(m) for m in line.marks)
    return sorted(lines.values(), key=lambda line: line.subject.label)


def student_report(
    student: Any, school_class: SchoolClass, period: Period, *, now: datetime | None = None
) -> StudentReport:
    """A student's marks of a period by subject, with the subject and overall averages and the
    class's averages beside them. With ``now``, only what was published by then (the family's
    view, and the class averages it is compared with). 4 queries: the class's students, their
    marks, the subject coefficients, and the class's own subject averages come from the same
    marks."""
    table = class_table(school_class, period, now=now)
    mine = table.rows_by_student.get(student.pk)
    subjects = mine.subjects if mine is not None else []
    for line in subjects:
        line.class_average = table.subject_averages.get(line.subject.pk)
    return StudentReport(
        period=period,
        subjects=subjects,
        overall=mine.overall if mine is not None else None,
        class_overall=table.overall_average,
    )


@dataclass
class ClassRow:
    student: Any
    subjects: list[SubjectLine]
    overall: Decimal | None

    @property
    def by_subject(self) -> dict[int, SubjectLine]:
        return {line.subject.pk: line for line in self.subjects}


@dataclass
class ClassTable:
    school_class: SchoolClass
    period: Period
    subjects: list[Subject]
    rows: list[ClassRow]
    subject_averages: dict[int, Decimal | None]
    overall_average: Decimal | None
    coefficients: dict[int, Decimal]

    @property
    def rows_by_student(self) -> dict[int, ClassRow]:
        return {row.student.pk: row for row in self.rows}


def class_table(
    school_class: SchoolClass, period: Period, *, now: datetime | None = None
) -> ClassTable:
    """Every student's subject and overall averages in a class for a period, and the class's
    averages per subject. Marks of group assessments count for the students who have them.
    With ``now``, only marks published by then. 3 queries."""
    students = list(
        User.objects.filter(
            enrolments__school_class=school_class,
            enrolments__school_year_id=school_class.school_year_id,
            is_active=True,
        )
        .only("pk", "public_id", "first_name", "last_name")
        .order_by("last_name", "first_name", "pk")
    )
    marks = list(_period_marks(period, [s.pk for s in students], now))
    coefficients = subject_coefficients(school_class)
    by_student: dict[int, list[Mark]] = defaultdict(list)
    subjects: dict[int, Subject] = {}
    for mark in marks:
        by_student[mark.student_id].append(mark)
        subjects.setdefault(mark.assessment.subject_id, mark.assessment.subject)
    rows = []
    for student in students:
        lines = _lines(by_student.get(student.pk, []), coefficients)
        overall = averages.overall_average((line.average, line.coefficient) for line in lines)
        rows.append(ClassRow(student, lines, overall))
    subject_averages = {
        pk: averages.mean(row.by_subject[pk].average for row in rows if pk in row.by_subject)
        for pk in subjects
    }
    return ClassTable(
        school_class=school_class,
        period=period,
        subjects=sorted(subjects.values(), key=lambda s: s.label),
        rows=rows,
        subject_averages=subject_averages,
        overall_average=averages.mean(row.overall for row in rows),
        coefficients=coefficients,
    )


def assessment_stats(assessment_ids: list[int]) -> dict[int, averages.Stats]:
    """Each assessment's mean, minimum and maximum on its scale (codes left out). 1 query."""
    values: dict[int, list[Decimal]] = defaultdict(list)
    rows = Mark.objects.filter(assessment_id__in=assessment_ids, value__isnull=False)
    for assessment_id, value in rows.values_list("assessment_id", "value"):
        values[assessment_id].append(value)
    return {pk: averages.assessment_stats(values.get(pk, [])) for pk in assessment_ids}


def grid_marks(assessments: list[Assessment]) -> dict[tuple[int, int], Mark]:
    """The marks of these assessments by (assessment id, student id). 1 query."""
    rows = Mark.objects.filter(assessment__in=[a.pk for a in assessments])
    return {(m.assessment_id, m.student_id): m for m in rows}


def period_of(establishment_id: int, school_year_id: int, day: Any) -> Period | None:
    """The grading period containing ``day``. 1 query."""
    return Period.objects.filter(
        establishment_id=establishment_id,
        school_year_id=school_year_id,
        start_date__lte=day,
        end_date__gte=day,
    ).first()


def periods(establishment_id: int, school_year_id: int) -> list[Period]:
    return list(
        Period.objects.filter(establishment_id=establishment_id, school_year_id=school_year_id)
    )


def current_period(periods_: list[Period], day: Any) -> Period | None:
    """The period containing ``day``, else the last one begun, else the first."""
    begun = [p for p in periods_ if p.start_date <= day]
    for period in periods_:
        if period.start_date <= day <= period.end_date:
            return period
    if begun:
        return begun[-1]
    return periods_[0] if periods_ else None
