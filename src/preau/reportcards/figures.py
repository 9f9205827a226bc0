"""What a report card shows besides the comments: per subject the teachers and the averages
(from the grades), the overall average, and the period's absences and lateness (from the
attendance). Read for a whole class at once, in a fixed number of queries, since the class's
averages, minimum and maximum are shared by every report card of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from preau.attendance.halfdays import Totals, totals
from preau.directory.models import GroupMembership, Subject, TeachingAssignment
from preau.reportcards.models import ClassCouncil, ReportCard, SubjectComment


@dataclass
class SubjectLine:
    subject: Subject
    teachers: list[str] = field(default_factory=list)
    average: Decimal | None = None
    class_average: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    comment: str = ""


@dataclass
class CardFigures:
    lines: list[SubjectLine]
    overall: Decimal | None
    class_overall: Decimal | None
    attendance: Totals


def _teacher_name(last_name: str, first_name: str) -> str:
    return f"{last_name} {first_name[:1]}.".strip() if first_name else last_name


def class_figures(council: ClassCouncil, cards: list[ReportCard]) -> dict[int, CardFigures]:
    """The figures of each report card of ``cards`` (all of ``council``), by report card id."""
    from preau.reportcards import grading

    student_ids = [card.student_id for card in cards]
    assignments = TeachingAssignment.objects.filter(
        school_class_id=council.school_class_id, school_year_id=council.school_year_id
    ).select_related("subject", "teacher")
    subjects: dict[int, Subject] = {}
    teachers: dict[int, list[str]] = defaultdict(list)
    for assignment in assignments:
        subjects[assignment.subject_id] = assignment.subject
        name = _teacher_name(assignment.teacher.last_name, assignment.teacher.first_name)
        if name not in teachers[assignment.subject_id]:
            teachers[assignment.subject_id].append(name)
    # A group subject's teachers are those of the student's own group (a half-class or an
    # option may have several, each with its teacher).
    group_teachers: dict[tuple[int, int], list[str]] = defaultdict(list)
    for student_id, subject_id, last_name, first_name in GroupMembership.objects.filter(
        student_id__in=student_ids,
        group__school_year_id=council.school_year_id,
        group__teaching_assignments__isnull=False,
    ).values_list(
        "student_id",
        "group__teaching_assignments__subject_id",
        "group__teaching_assignments__teacher__last_name",
        "group__teaching_assignments__teacher__first_name",
    ):
        if subject_id in teachers:
            continue  # taught to the class as a whole: the class's teachers are named
        name = _teacher_name(last_name, first_name)
        if name not in group_teachers[(student_id, subject_id)]:
            group_teachers[(student_id, subject_id)].append(name)
    comments: dict[tuple[int, int], str] = {}
    for comment in SubjectComment.objects.filter(report_card__in=cards).select_related("subject"):
        subjects.setdefault(comment.subject_id, comment.subject)
        comments[(comment.report_card_id, comment.subject_id)] = comment.text
    marks = grading.period_averages(council, student_ids)
    for subject in marks.subjects:
        subjects.setdefault(subject.pk, subject)
    attendance = totals(
        establishment_id=council.establishment_id,
        student_ids=student_ids,
        first=council.period.start_date,
        last=council.period.end_date,
    )
    ordered = sorted(subjects.values(), key=lambda s: (s.label.lower(), s.pk))
    figures = {}
    for card in cards:
        lines = []
        for subject in ordered:
            stats = marks.class_stats.get(subject.pk)
            lines.append(
                SubjectLine(
                    subject=subject,
                    teachers=sorted(
                        teachers.get(subject.pk)
                        or group_teachers.get((card.student_id, subject.pk), [])
                    ),
                    average=marks.averages.get((card.student_id, subject.pk)),
                    class_average=stats.average if stats else None,
                    minimum=stats.minimum if stats else None,
                    maximum=stats.maximum if stats else None,
                    comment=comments.get((card.pk, subject.pk), ""),
                )
            )
        figures[card.pk] = CardFigures(
            lines=lines,
            overall=marks.overall.get(card.student_id),
            class_overall=marks.class_overall,
            attendance=attendance.get(card.student_id, Totals()),
        )
    return figures
