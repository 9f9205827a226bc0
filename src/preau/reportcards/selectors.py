"""Reads of the report cards: the rows of a comment grid, the councils of a year, the progress
of a council's PDFs. Each runs a fixed number of queries whatever the size of the class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from preau.directory.models import GroupMembership, Period, Subject, TeachingGroup
from preau.reportcards import policies
from preau.reportcards.models import ClassCouncil, ReportCard, SubjectComment


def council_cards(council: ClassCouncil, group: TeachingGroup | None = None) -> list[ReportCard]:
    """The council's report cards (those of the group's students, when a group is given), by
    student name (1 query)."""
    cards = ReportCard.objects.filter(council=council)
    if group is not None:
        cards = cards.filter(
            student_id__in=GroupMembership.objects.filter(group=group).values("student_id")
        )
    return list(
        cards.select_related("student").order_by("student__last_name", "student__first_name", "pk")
    )


@dataclass
class Cell:
    """One row of a subject's grid: the student's report card and what is written (or typed)."""

    card: ReportCard
    text: str
    version: int
    original: str
    error: str = ""
    saved: bool = False
    conflict: str | None = None
    average: Any = None


def subject_cells(
    council: ClassCouncil, subject: Subject, group: TeachingGroup | None = None
) -> list[Cell]:
    """The rows of a subject's comment grid (of a group's students in the class, when a group
    is given) with each student's average in the subject, which the comment speaks of
    (5 queries)."""
    from preau.reportcards.grading import period_averages

    cards = council_cards(council, group)
    marks = period_averages(council, [card.student_id for card in cards])
    comments = {
        c.report_card_id: c
        for c in SubjectComment.objects.filter(report_card__in=cards, subject=subject)
    }
    cells = []
    for card in cards:
        comment = comments.get(card.pk)
        text = comment.text if comment else ""
        cell = Cell(card, text, comment.version if comment else 0, text)
        cell.average = marks.averages.get((card.student_id, subject.pk))
        cells.append(cell)
    return cells


def council_subjects(council: ClassCouncil) -> list[Subject]:
    """The subjects taught to the class this year, by label (1 query)."""
    return list(
        Subject.objects.filter(
            teachingassignment__school_class_id=council.school_class_id,
            teachingassignment__school_year_id=council.school_year_id,
        )
        .distinct()
        .order_by("label")
    )


@dataclass
class GroupGrid:
    """A group subject's grid in a council: the group, its subject, how many of the class's
    students are in the group and how many comments they have."""

    group: TeachingGroup
    subject: Subject
    students: int = 0
    written: int = 0
    mine: bool = False


def council_groups(council: ClassCouncil) -> list[GroupGrid]:
    """The group grids of the council's class, by subject and group (3 queries)."""
    grids: dict[tuple[int, int], GroupGrid] = {}
    for assignment in (
        policies.group_assignments(council)
        .select_related("group", "subject")
        .order_by("subject__label", "group__name", "pk")
    ):
        key = (assignment.group_id, assignment.subject_id)
        grids.setdefault(key, GroupGrid(assignment.group, assignment.subject))
    if not grids:
        return []
    # Per group and subject of the class's students: how many, and how many comments written.
    rows = ReportCard.objects.filter(
        council=council, student__groupmembership__group_id__in={g for g, _s in grids}
    ).values_list("student__groupmembership__group_id", "pk")
    members: dict[int, set[int]] = {}
    for group_id, card_id in rows:
        members.setdefault(group_id, set()).add(card_id)
    written = set(
        SubjectComment.objects.filter(report_card__council=council)
        .exclude(text="")
        .values_list("report_card_id", "subject_id")
    )
    for (group_id, subject_id), grid in grids.items():
        cards = members.get(group_id, set())
        grid.students = len(cards)
        grid.written = sum(1 for card in cards if (card, subject_id) in written)
    return list(grids.values())


def comment_counts(council: ClassCouncil) -> dict[int, int]:
    """Comments written per subject in the council (1 query)."""
    return dict(
        SubjectComment.objects.filter(report_card__council=council)
        .exclude(text="")
        .values_list("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
    )


@dataclass
class Progress:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


def pdf_progress(council: ClassCouncil) -> Progress:
    """How many of the council's PDFs are stored (1 query)."""
    counts = ReportCard.objects.filter(council=council).aggregate(
        total=Count("pk"), done=Count("pk", filter=~Q(pdf=""))
    )
    return Progress(counts["done"], counts["total"])


def year_councils(councils: QuerySet[ClassCouncil], year: Any) -> QuerySet[ClassCouncil]:
    return (
        councils.filter(school_year=year)
        .select_related("period", "school_class__level")
        .annotate(cards=Count("report_cards"))
        .order_by("period__start_date", "school_class__level__order", "school_class__name")
    )


def year_periods(establishment_id: int, year: Any) -> list[Period]:
    return list(Period.objects.filter(establishment_id=establishment_id, school_year=year))
