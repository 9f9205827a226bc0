"""Reads of drop boxes that pages and panels share: statuses, the teacher's roster, counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, DateTimeField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.dropbox.models import DropBox, FileRole, Submission, SubmissionFile
from preau.dropbox.policies import box_students

STATUS_LABELS = {
    "returned": _("Corrigé rendu"),
    "late": _("Rendu en retard"),
    "on_time": _("Rendu"),
    "missing": _("Non rendu"),
    "pending": _("À rendre"),
}


def status_of(box: DropBox, submitted_at: datetime | None, returned_at: datetime | None) -> str:
    """returned, late, on_time, missing (deadline passed) or pending (not yet due)."""
    if returned_at is not None:
        return "returned"
    if submitted_at is not None:
        return "late" if submitted_at > box.deadline else "on_time"
    return "missing" if box.is_past_deadline() else "pending"


def with_own_status(boxes: QuerySet[DropBox], student: Any) -> QuerySet[DropBox]:
    """Each drop box with the student's hand-in times (``own_submitted_at``, ``own_returned_at``)
    read in the same query."""
    mine = Submission.objects.filter(drop_box=OuterRef("pk"), student=student)
    return boxes.annotate(
        own_submitted_at=Subquery(mine.values("submitted_at")[:1]),
        own_returned_at=Subquery(mine.values("returned_at")[:1]),
    )


def label_statuses(boxes: Any) -> Any:
    for box in boxes:
        box.status = status_of(box, box.own_submitted_at, box.own_returned_at)
        box.status_label = STATUS_LABELS[box.status]
    return boxes


def with_counts(boxes: QuerySet[DropBox]) -> QuerySet[DropBox]:
    """Each drop box with how many students handed in and how many since the teacher looked."""
    seen = Coalesce("teacher_seen_at", "created_at", output_field=DateTimeField())
    return boxes.annotate(
        handed_in=Count("submissions", filter=Q(submissions__submitted_at__isnull=False)),
        new_hand_ins=Count("submissions", filter=Q(submissions__submitted_at__gt=seen)),
    )


@dataclass
class RosterRow:
    student: Any
    submission: Submission | None
    status: str
    work: list[SubmissionFile] = field(default_factory=list)
    corrections: list[SubmissionFile] = field(default_factory=list)

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]

    @property
    def is_new(self) -> bool:
        return self.submission is not None and self.submission.is_new


def roster(box: DropBox, *, students: Iterable[Any] | None = None) -> list[RosterRow]:
    """Every student the drop box is for, with their hand-in and files: 3 queries whatever the
    class size (the students, their hand-ins, the hand-ins' files)."""
    people = list(students if students is not None else box_students(box))
    seen = box.teacher_seen_at or box.created_at
    submissions = {
        s.student_id: s
        for s in Submission.objects.filter(
            drop_box=box, student_id__in=[p.pk for p in people]
        ).prefetch_related(
            Prefetch("files", queryset=SubmissionFile.objects.order_by("created_at", "id"))
        )
    }
    rows = []
    for person in people:
        submission = submissions.get(person.pk)
        if submission is not None:
            submission.drop_box = box
            submitted = submission.submitted_at
            submission.is_new = submitted is not None and submitted > seen
        files = list(submission.files.all()) if submission is not None else []
        rows.append(
            RosterRow(
                student=person,
                submission=submission,
                status=status_of(
                    box,
                    submission.submitted_at if submission else None,
                    submission.returned_at if submission else None,
                ),
                work=[f for f in files if f.role == FileRole.WORK],
                corrections=[f for f in files if f.role == FileRole.CORRECTION],
            )
        )
    return rows


def summary(rows: list[RosterRow]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def next_change(establishment_id: int) -> datetime | None:
    """The next moment a drop box of the establishment opens or reaches its deadline (1 query)."""
    now = timezone.now()
    bounds = DropBox.objects.filter(
        Q(opens_at__gt=now) | Q(deadline__gt=now), establishment_id=establishment_id
    ).aggregate(
        opens=Min("opens_at", filter=Q(opens_at__gt=now)),
        deadline=Min("deadline", filter=Q(deadline__gt=now)),
    )
    moments = [moment for moment in bounds.values() if moment is not None]
    return min(moments) if moments else None


def all_work_files(box: DropBox) -> QuerySet[SubmissionFile]:
    """The students' files of a drop box, by student, for the archive."""
    return (
        SubmissionFile.objects.filter(submission__drop_box=box, role=FileRole.WORK)
        .select_related("submission__student")
        .order_by("submission__student__last_name", "submission__student__first_name", "created_at")
    )
