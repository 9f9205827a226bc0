"""The demo's report cards.

A published council with its stored PDFs for the collège's 4e B: the last period of this year
that has ended, or, before the first one ends (September to the end of November), the third
trimester of the previous school year, when 4e B's students were in « 5e B » (with their
groups: a language half-class, an option). Comments, general comments and the council's
decisions follow each student's averages, each subject's written by its teacher (a group
subject's by the student's group teacher). The period of
today (or the next one) is opened for every class of the collège, so that teachers find their
grids to fill.

Marks come from the grades' demo when it has some for that period; otherwise a few are made
here (always for the previous year, which no other demo fills). The previous year is written
as archived data (as a yearly import would), straight into its tables: no one's rights of this
year apply to it. PDFs are made for 4e B only: a whole collège takes a minute or more (see
docs/reportcards.md for the figures). Idempotent: nothing changes once the council is
published.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from preau.core.actor import Actor
from preau.demo.cast import ensure_periods
from preau.directory.models import (
    Enrolment,
    GroupMembership,
    Level,
    Period,
    PeriodKind,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    TeachingGroup,
)
from preau.grades.models import Assessment, Mark
from preau.reportcards import actions, policies
from preau.reportcards.grading import period_averages
from preau.reportcards.models import (
    ClassCouncil,
    CouncilState,
    ReportCard,
    SubjectComment,
)
from preau.reportcards.pdf import store_council_pdfs
from preau.timetable.generation import PARIS

SEED = 2026
ASSESSMENTS = 3

# Comments by average band (the lowest average of the band, the words).
SUBJECT_COMMENTS = [
    (Decimal(16), "Excellent trimestre : un travail rigoureux et une participation active."),
    (Decimal(14), "Très bon trimestre, des résultats solides. Continuez ainsi."),
    (Decimal(12), "Bon ensemble. Un peu plus de régularité permettrait de progresser encore."),
    (Decimal(10), "Résultats justes : il faut approfondir les leçons et soigner le travail."),
    (Decimal(0), "Trimestre difficile. Des efforts réguliers sont indispensables."),
]
GENERAL_COMMENTS = [
    (Decimal(16), "Un trimestre remarquable, bravo. L'équipe vous félicite.", "felicitations"),
    (Decimal(14), "Très bon trimestre, sérieux et investi. Poursuivez.", "compliments"),
    (Decimal(12), "Un trimestre encourageant : les efforts paient.", "encouragements"),
    (Decimal(9), "Des résultats fragiles ; le travail personnel doit s'intensifier.", ""),
    (
        Decimal(0),
        "Le conseil attend un réel changement d'attitude face au travail.",
        "warning_work",
    ),
]


def _band(value: Decimal | None, bands: list[tuple]) -> tuple:
    for band in bands:
        if value is not None and value >= band[0]:
            return band
    return bands[-1]


def _head(cast: Any) -> Actor:
    return Actor(cast.principal_moulin, {})


def _previous_year(current: SchoolYear) -> SchoolYear:
    label, start, end = SchoolYear.bounds_for(current.start_date - timedelta(days=1))
    year, _created = SchoolYear.objects.get_or_create(
        label=label, defaults={"start_date": start, "end_date": end}
    )
    return year


def _last_year_class(cast: Any, year: SchoolYear) -> SchoolClass:
    """4e B's students as they were a year before: « 5e B », with 4e B's teachers."""
    current = cast.class_4b
    school_class, created = SchoolClass.objects.get_or_create(
        establishment=cast.moulin,
        school_year=year,
        name="5e B",
        defaults={"level": Level.objects.get(code="5"), "head_teacher": cast.garcia},
    )
    if not created:
        return school_class
    students = Enrolment.objects.filter(school_class=current).values_list("student_id", flat=True)
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                establishment=cast.moulin,
                school_year=year,
                student_id=student,
                school_class=school_class,
            )
            for student in students
        ],
        ignore_conflicts=True,
    )
    TeachingAssignment.objects.bulk_create(
        [
            TeachingAssignment(
                establishment=cast.moulin,
                school_year=year,
                teacher_id=assignment.teacher_id,
                subject_id=assignment.subject_id,
                school_class=school_class,
            )
            for assignment in TeachingAssignment.objects.filter(school_class=current)
        ],
        ignore_conflicts=True,
    )
    _copy_groups(cast, current, school_class)
    return school_class


def _copy_groups(cast: Any, current: SchoolClass, last_year: SchoolClass) -> None:
    """The groups of 4e B's students, as they were a year before (« 4e » becomes « 5e »), with
    4e B's students only (the other classes are not copied) and the same teachers."""
    students = set(
        Enrolment.objects.filter(school_class=current).values_list("student_id", flat=True)
    )
    groups = TeachingGroup.objects.filter(
        school_year_id=current.school_year_id,
        establishment=cast.moulin,
        groupmembership__student_id__in=students,
    ).distinct()
    for group in groups.order_by("name"):
        copy = TeachingGroup.objects.create(
            establishment=cast.moulin,
            school_year_id=last_year.school_year_id,
            name=group.name.replace("4e", "5e"),
        )
        GroupMembership.objects.bulk_create(
            [
                GroupMembership(establishment=cast.moulin, group=copy, student_id=student)
                for student in GroupMembership.objects.filter(
                    group=group, student_id__in=students
                ).values_list("student_id", flat=True)
            ]
        )
        TeachingAssignment.objects.bulk_create(
            [
                TeachingAssignment(
                    establishment=cast.moulin,
                    school_year_id=last_year.school_year_id,
                    teacher_id=assignment.teacher_id,
                    subject_id=assignment.subject_id,
                    group=copy,
                )
                for assignment in group.teaching_assignments.all()
            ]
        )


def _ensure_marks(period: Period, school_class: SchoolClass) -> None:
    """A few marks per subject taught to the class, unless the period has some already."""
    if Assessment.objects.filter(period=period, school_class=school_class).exists():
        return
    draw = random.Random(f"{SEED}:{school_class.name}:{period.number}")  # noqa: S311 - demo data
    students = list(
        Enrolment.objects.filter(school_class=school_class)
        .order_by("student__last_name", "student__first_name", "student_id")
        .values_list("student_id", flat=True)
    )
    level = {student: draw.uniform(7, 17) for student in students}
    span = (period.end_date - period.start_date).days
    published = datetime.combine(period.end_date, time(18), tzinfo=PARIS)
    marks = []
    assignments = TeachingAssignment.objects.filter(school_class=school_class).order_by("pk")
    for assignment in assignments:
        for number in range(1, ASSESSMENTS + 1):
            assessment = Assessment.objects.create(
                establishment_id=school_class.establishment_id,
                school_year_id=school_class.school_year_id,
                school_class=school_class,
                subject_id=assignment.subject_id,
                period=period,
                teacher_id=assignment.teacher_id,
                title=f"Évaluation {number}",
                date=period.start_date + timedelta(days=span * number // (ASSESSMENTS + 1)),
                publish_at=published,
                announced=True,
            )
            for student in students:
                value = min(20.0, max(2.0, draw.gauss(level[student], 2.5)))
                marks.append(
                    Mark(
                        establishment_id=school_class.establishment_id,
                        assessment=assessment,
                        student_id=student,
                        value=Decimal(str(round(value * 2) / 2)),
                    )
                )
    Mark.objects.bulk_create(marks)


def _ensure_group_marks(council: ClassCouncil) -> None:
    """A few marks per group subject of the council's class (for every student of the group,
    whatever their class), unless the group has some for the period already."""
    period = council.period
    span = (period.end_date - period.start_date).days
    published = datetime.combine(period.end_date, time(18), tzinfo=PARIS)
    marks = []
    for assignment in policies.group_assignments(council).select_related("group").order_by("pk"):
        group = assignment.group
        if Assessment.objects.filter(
            period=period, group=group, subject_id=assignment.subject_id
        ).exists():
            continue
        draw = random.Random(f"{SEED}:{group.name}:{period.number}")  # noqa: S311 - demo data
        students = list(
            GroupMembership.objects.filter(group=group)
            .order_by("student_id")
            .values_list("student_id", flat=True)
        )
        level = {student: draw.uniform(8, 17) for student in students}
        for number in range(1, ASSESSMENTS + 1):
            assessment = Assessment.objects.create(
                establishment_id=council.establishment_id,
                school_year_id=council.school_year_id,
                group=group,
                subject_id=assignment.subject_id,
                period=period,
                teacher_id=assignment.teacher_id,
                title=f"Évaluation {number}",
                date=period.start_date + timedelta(days=span * number // (ASSESSMENTS + 1)),
                publish_at=published,
                announced=True,
            )
            for student in students:
                value = min(20.0, max(2.0, draw.gauss(level[student], 2.5)))
                marks.append(
                    Mark(
                        establishment_id=council.establishment_id,
                        assessment=assessment,
                        student_id=student,
                        value=Decimal(str(round(value * 2) / 2)),
                    )
                )
    Mark.objects.bulk_create(marks)


def _authors(council: ClassCouncil) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """Who writes what: a class subject's teacher, by subject; a group subject's, by student
    and subject."""
    by_subject = dict(
        TeachingAssignment.objects.filter(school_class_id=council.school_class_id)
        .order_by("-pk")
        .values_list("subject_id", "teacher_id")
    )
    by_student = {}
    for assignment in policies.group_assignments(council).order_by("-pk"):
        for student in GroupMembership.objects.filter(group_id=assignment.group_id).values_list(
            "student_id", flat=True
        ):
            by_student[(student, assignment.subject_id)] = assignment.teacher_id
    return by_subject, by_student


def _write_comments(council: ClassCouncil, author: Any) -> None:
    """Comments and decisions that follow each student's averages."""
    cards = list(ReportCard.objects.filter(council=council))
    marks = period_averages(council, [card.student_id for card in cards])
    by_subject, by_student = _authors(council)
    now = timezone.now()
    comments = []
    for card in cards:
        for subject in marks.subjects:
            average = marks.averages.get((card.student_id, subject.pk))
            if average is None:
                continue
            writer = by_subject.get(subject.pk) or by_student.get((card.student_id, subject.pk))
            comments.append(
                SubjectComment(
                    establishment_id=council.establishment_id,
                    report_card=card,
                    subject=subject,
                    text=_band(average, SUBJECT_COMMENTS)[1],
                    version=1,
                    author_id=writer or author.pk,
                    updated_at=now,
                )
            )
        _low, words, decision = _band(marks.overall.get(card.student_id), GENERAL_COMMENTS)
        card.general_comment, card.decision, card.version = words, decision, 1
        card.updated_at = now
    SubjectComment.objects.bulk_create(comments, ignore_conflicts=True)
    ReportCard.objects.bulk_update(cards, ["general_comment", "decision", "version", "updated_at"])


def _published_period(cast: Any, current: SchoolYear) -> tuple[Period, SchoolClass, bool]:
    """The period and class of the demo's published report cards, and whether it is this
    year's."""
    today = timezone.localdate()
    ended = (
        Period.objects.filter(establishment=cast.moulin, school_year=current, end_date__lt=today)
        .order_by("-end_date")
        .first()
    )
    if ended is not None:
        return ended, cast.class_4b, True
    previous = _previous_year(current)
    ensure_periods(cast.moulin, previous, PeriodKind.TRIMESTER)
    period = Period.objects.filter(establishment=cast.moulin, school_year=previous).last()
    return period, _last_year_class(cast, previous), False


@transaction.atomic
def build(cast: Any) -> None:
    current = SchoolYear.current()
    head = _head(cast)
    period, school_class, this_year = _published_period(cast, current)
    council = ClassCouncil.objects.filter(period=period, school_class=school_class).first()
    if council is None or council.state != CouncilState.PUBLISHED:
        _ensure_marks(period, school_class)
        council = actions.do_open_council(actor=head, period=period, school_class=school_class)
        _ensure_group_marks(council)
        if not SubjectComment.objects.filter(report_card__council=council).exists():
            _write_comments(council, author=school_class.head_teacher)
        if council.state == CouncilState.DRAFT:
            actions.do_validate(actor=head, council=council)
        actions.do_publish(actor=head, council=council)
        if not this_year:
            # Families were told when it came out, a year ago.
            council.notified_at = council.published_at
            council.save(update_fields=["notified_at"])
    store_council_pdfs(council)
    if this_year:
        actions.do_notify_families(council)
    _open_current(cast, current, head, exclude=period)


def _open_current(cast: Any, year: SchoolYear, head: Actor, *, exclude: Period) -> None:
    """Open this year's period of today (or the next one) for every class of the collège."""
    today = timezone.localdate()
    period = (
        Period.objects.filter(establishment=cast.moulin, school_year=year, end_date__gte=today)
        .exclude(pk=exclude.pk)
        .order_by("start_date")
        .first()
    )
    if period is not None and not ClassCouncil.objects.filter(period=period).exists():
        actions.do_open_period(actor=head, period=period)
