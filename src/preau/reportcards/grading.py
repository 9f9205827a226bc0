"""The averages a report card prints, read from the grades (``preau.grades.selectors``).

Every mark of the period counts, published to families yet or not: the report card is made
after the period, when every mark is final. The class's minimum and maximum in a subject are
those of its students' subject averages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from preau.directory.models import Subject
from preau.grades.selectors import class_table
from preau.reportcards.models import ClassCouncil


@dataclass
class SubjectStats:
    average: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None


@dataclass
class PeriodMarks:
    subjects: list[Subject] = field(default_factory=list)
    averages: dict[tuple[int, int], Decimal | None] = field(default_factory=dict)
    class_stats: dict[int, SubjectStats] = field(default_factory=dict)
    overall: dict[int, Decimal | None] = field(default_factory=dict)
    class_overall: Decimal | None = None


def period_averages(council: ClassCouncil, student_ids: list[int]) -> PeriodMarks:
    """The averages of the council's class for its period (3 queries): per student and subject,
    per subject for the class, and overall."""
    table = class_table(council.school_class, council.period)
    wanted = set(student_ids)
    result = PeriodMarks(subjects=table.subjects, class_overall=table.overall_average)
    by_subject: dict[int, list[Decimal]] = {s.pk: [] for s in table.subjects}
    for row in table.rows:
        for line in row.subjects:
            if line.average is not None:
                by_subject[line.subject.pk].append(line.average)
            if row.student.pk in wanted:
                result.averages[(row.student.pk, line.subject.pk)] = line.average
        if row.student.pk in wanted:
            result.overall[row.student.pk] = row.overall
    for subject_id, values in by_subject.items():
        result.class_stats[subject_id] = SubjectStats(
            table.subject_averages.get(subject_id),
            min(values) if values else None,
            max(values) if values else None,
        )
    return result
