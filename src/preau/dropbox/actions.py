"""Changes to drop boxes: open, edit, close, delete; hand in and withdraw; return the work.

Each action runs in one transaction. Callers (views, the demo) have already checked access
through the policies and checked the uploaded files (files.py); the rules of time — opening,
deadline, late hand-ins, closing, returned work — are checked here, under a lock of the
student's hand-in, and refusals raise ``HandInRefused`` with the message to show. Files reach
the storage in chunks; if the transaction fails, those already stored are deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.core import html as core_html
from preau.directory.models import Establishment, Guardianship, SchoolClass, Subject, TeachingGroup
from preau.dropbox.files import CheckedUpload
from preau.dropbox.models import DropBox, FileRole, Submission, SubmissionFile
from preau.dropbox.policies import box_students
from preau.notifications.actions import notify
from preau.notifications.models import Kind, Notification
from preau.portal.panel_cache import bump_scope, forget_panels

BOX_FIELDS = [
    "title",
    "school_class",
    "group",
    "subject",
    "opens_at",
    "deadline",
    "accepts_late",
    "max_files",
    "closed_at",
]


class HandInRefused(Exception):
    """A hand-in, a withdrawal or a deletion the rules refuse; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sanitise_instructions(text: str) -> str:
    return core_html.sanitise_html(text, allow_headings=False)


def _url(box: DropBox) -> str:
    return reverse("dropbox:detail", kwargs={"public_id": box.public_id})


def _local(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@contextmanager
def _storing() -> Iterator[list[str]]:
    """The names stored inside the block, deleted again if the block fails."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _forget_files(names: list[str]) -> None:
    """Delete stored files once the transaction that dropped their rows has committed."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _store(
    submission: Submission,
    role: str,
    files: list[CheckedUpload],
    stored: list[str],
    now: datetime,
) -> None:
    for checked in files:
        row = SubmissionFile(
            establishment_id=submission.establishment_id,
            submission=submission,
            role=role,
            original_name=checked.original_name,
            size=checked.size,
            content_type=checked.content_type,
            created_at=now,
        )
        # The storage copies the upload chunk by chunk (File.chunks), never whole.
        row.file.save(f"file.{checked.extension}", checked.upload, save=False)
        stored.append(row.file.name)
        row.save()


def _family(student_id: int) -> list[int]:
    """The student and their guardians, whose dashboard panels show this hand-in."""
    guardians = Guardianship.objects.filter(student_id=student_id).values_list(
        "guardian_id", flat=True
    )
    return [student_id, *guardians]


def _notify_opening(actor: Any, box: DropBox) -> None:
    """Tell the students when the drop box opens: now, or later (stored, not scheduled)."""
    now = timezone.now()
    notify(
        recipients=box_students(box).filter(is_active=True),
        establishment=box.establishment,
        kind=Kind.DROPBOX,
        title=box.title,
        body=_("Nouveau casier : à rendre avant le %(deadline)s.")
        % {"deadline": _local(box.deadline)},
        url=_url(box),
        actor=getattr(actor, "user", actor),
        now=max(now, box.opens_at),
    )


def _withdraw_pending_notifications(box: DropBox) -> None:
    """Opening notices not yet delivered: the opening moved, or the drop box is gone."""
    Notification.objects.filter(
        establishment_id=box.establishment_id,
        kind=Kind.DROPBOX,
        url=_url(box),
        deliver_at__gt=timezone.now(),
    ).delete()


# -- the teacher's drop boxes ------------------------------------------------------------------


def do_open_drop_box(
    *,
    actor: Any,
    establishment: Establishment,
    audience: SchoolClass | TeachingGroup,
    title: str,
    instructions: str,
    deadline: datetime,
    opens_at: datetime | None = None,
    subject: Subject | None = None,
    accepts_late: bool = False,
    max_files: int = 3,
) -> DropBox:
    """A new drop box of the acting teacher for a class or a group; its students are told."""
    teacher = getattr(actor, "user", actor)
    with transaction.atomic():
        bump_scope("dropbox", [establishment.pk])
        box = DropBox.objects.create(
            establishment=establishment,
            school_year=audience.school_year,
            teacher=teacher,
            school_class=audience if isinstance(audience, SchoolClass) else None,
            group=audience if isinstance(audience, TeachingGroup) else None,
            subject=subject,
            title=title.strip(),
            instructions=sanitise_instructions(instructions),
            opens_at=opens_at or timezone.now(),
            deadline=deadline,
            accepts_late=accepts_late,
            max_files=max_files,
        )
        record(
            actor=actor,
            establishment=establishment,
            action="dropbox.open",
            target=box,
            after=snapshot(box, BOX_FIELDS),
        )
        _notify_opening(actor, box)
    return box


def do_update_drop_box(
    *,
    actor: Any,
    box: DropBox,
    title: str,
    instructions: str,
    deadline: datetime,
    opens_at: datetime,
    subject: Subject | None,
    accepts_late: bool,
    max_files: int,
) -> DropBox:
    """Change a drop box; a later opening moves the students' notice with it."""
    with transaction.atomic():
        bump_scope("dropbox", [box.establishment_id])
        box = DropBox.objects.select_for_update().select_related("establishment").get(pk=box.pk)
        before = snapshot(box, BOX_FIELDS)
        was_pending = box.opens_at > timezone.now()
        moved = opens_at != box.opens_at
        box.title = title.strip()
        box.instructions = sanitise_instructions(instructions)
        box.deadline = deadline
        box.opens_at = opens_at
        box.subject = subject
        box.accepts_late = accepts_late
        box.max_files = max_files
        box.save(
            update_fields=[
                "title",
                "instructions",
                "deadline",
                "opens_at",
                "subject",
                "accepts_late",
                "max_files",
                "updated_at",
            ]
        )
        record(
            actor=actor,
            establishment=box.establishment,
            action="dropbox.update",
            target=box,
            before=before,
            after=snapshot(box, BOX_FIELDS),
        )
        if was_pending and moved:
            _withdraw_pending_notifications(box)
            _notify_opening(actor, box)
    return box


def do_close_drop_box(*, actor: Any, box: DropBox, closed: bool = True) -> DropBox:
    """Close a drop box (no hand-in, no withdrawal any more) or open it again."""
    with transaction.atomic():
        bump_scope("dropbox", [box.establishment_id])
        box = DropBox.objects.select_for_update().select_related("establishment").get(pk=box.pk)
        before = snapshot(box, ["closed_at"])
        box.closed_at = (box.closed_at or timezone.now()) if closed else None
        box.save(update_fields=["closed_at", "updated_at"])
        record(
            actor=actor,
            establishment=box.establishment,
            action="dropbox.close" if closed else "dropbox.reopen",
            target=box,
            before=before,
            after=snapshot(box, ["closed_at"]),
        )
    return box


def handed_in_counts(box: DropBox) -> tuple[int, int]:
    """How many students handed in, and how many files they and the teacher left (2 queries)."""
    files = SubmissionFile.objects.filter(submission__drop_box=box)
    return (
        Submission.objects.filter(drop_box=box, submitted_at__isnull=False).count(),
        files.count(),
    )


def do_delete_drop_box(*, actor: Any, box: DropBox, delete_work: bool = False) -> None:
    """Delete a drop box. When work was handed in, only with ``delete_work``: the hand-ins and
    their files go with it (the audit row keeps how many)."""
    with transaction.atomic():
        bump_scope("dropbox", [box.establishment_id])
        box = DropBox.objects.select_for_update().select_related("establishment").get(pk=box.pk)
        submissions, files = handed_in_counts(box)
        if (submissions or files) and not delete_work:
            raise HandInRefused(
                _(
                    "Des élèves ont déjà rendu leur travail : confirmez que leurs fichiers "
                    "seront supprimés avec le casier."
                )
            )
        names = list(
            SubmissionFile.objects.filter(submission__drop_box=box).values_list("file", flat=True)
        )
        record(
            actor=actor,
            establishment=box.establishment,
            action="dropbox.delete",
            target=box,
            before={**snapshot(box, BOX_FIELDS), "hand_ins": submissions, "files": files},
            after=None,
        )
        _withdraw_pending_notifications(box)
        box.delete()
        _forget_files(names)


def do_mark_seen(*, actor: Any, box: DropBox) -> None:
    """The teacher looked at the hand-ins: none is « new » on their home page any more."""
    user = getattr(actor, "user", actor)
    DropBox.objects.filter(pk=box.pk).update(teacher_seen_at=timezone.now())
    forget_panels("dropbox", [user.pk])


# -- the student's hand-in -----------------------------------------------------------------------


def _locked_submission(box: DropBox, student: Any) -> Submission:
    submission, _created = Submission.objects.get_or_create(
        drop_box=box, student=student, defaults={"establishment_id": box.establishment_id}
    )
    return Submission.objects.select_for_update().get(pk=submission.pk)


def _check_changeable(box: DropBox, submission: Submission) -> None:
    if box.closed_at is not None:
        raise HandInRefused(_("Ce casier est fermé : il n'accepte plus de dépôt."))
    if submission.returned_at is not None:
        raise HandInRefused(
            _("Votre travail a été corrigé et rendu : il ne peut plus être modifié.")
        )


def do_hand_in(
    *, actor: Any, box: DropBox, files: list[CheckedUpload], now: datetime | None = None
) -> Submission:
    """Add files to the student's hand-in: before the deadline, or after it when the drop box
    accepts late hand-ins (the hand-in is then late)."""
    student = getattr(actor, "user", actor)
    now = now or timezone.now()
    with transaction.atomic(), _storing() as stored:
        box = DropBox.objects.select_related("establishment").get(pk=box.pk)
        submission = _locked_submission(box, student)
        _check_changeable(box, submission)
        if box.is_past_deadline(now) and not box.accepts_late:
            raise HandInRefused(
                _("La date limite (%(deadline)s) est passée : ce casier n'accepte plus de dépôt.")
                % {"deadline": _local(box.deadline)}
            )
        kept = submission.files.filter(role=FileRole.WORK).count()
        if kept + len(files) > box.max_files:
            raise HandInRefused(
                _(
                    "Ce casier accepte %(count)s fichier(s) par élève au plus : vous en avez "
                    "déjà déposé %(kept)s."
                )
                % {"count": box.max_files, "kept": kept}
            )
        _store(submission, FileRole.WORK, files, stored, now)
        submission.submitted_at = now
        submission.save(update_fields=["submitted_at"])
        record(
            actor=actor,
            establishment=box.establishment,
            action="dropbox.hand_in",
            target=submission,
            after={
                "files": [f.original_name for f in files],
                "late": submission.submitted_at > box.deadline,
            },
        )
        people = _family(student.pk)
        if box.teacher_id:
            people.append(box.teacher_id)
        forget_panels("dropbox", people)
    return submission


def do_withdraw_file(
    *, actor: Any, box: DropBox, file: SubmissionFile, now: datetime | None = None
) -> Submission:
    """Take a file back: until the deadline; after it, only files handed in late."""
    student = getattr(actor, "user", actor)
    now = now or timezone.now()
    with transaction.atomic():
        box = DropBox.objects.select_related("establishment").get(pk=box.pk)
        submission = _locked_submission(box, student)
        _check_changeable(box, submission)
        if file.submission_id != submission.pk or file.role != FileRole.WORK:
            raise HandInRefused(_("Ce fichier n'est pas dans votre dépôt."))
        if box.is_past_deadline(now) and (not box.accepts_late or file.created_at <= box.deadline):
            raise HandInRefused(
                _(
                    "La date limite est passée : les fichiers rendus à temps ne peuvent plus "
                    "être retirés."
                )
            )
        name = file.file.name
        file.delete()
        latest = submission.files.filter(role=FileRole.WORK).aggregate(latest=Max("created_at"))
        submission.submitted_at = latest["latest"]
        submission.save(update_fields=["submitted_at"])
        record(
            actor=actor,
            establishment=box.establishment,
            action="dropbox.withdraw",
            target=submission,
            before={"file": file.original_name},
        )
        people = _family(student.pk)
        if box.teacher_id:
            people.append(box.teacher_id)
        forget_panels("dropbox", people)
        _forget_files([name])
    return submission


# -- returning the work --------------------------------------------------------------------------


def do_return_work(
    *,
    actor: Any,
    box: DropBox,
    student: Any,
    feedback: str,
    corrections: list[CheckedUpload] | None = None,
    remove_corrections: list[SubmissionFile] | None = None,
) -> Submission:
    """Return a student's work: the feedback and corrected files; the student is told."""
    teacher = getattr(actor, "user", actor)
    now = timezone.now()
    with transaction.atomic(), _storing() as stored:
        box = DropBox.objects.select_related("establishment").get(pk=box.pk)
        submission = _locked_submission(box, student)
        before = {
            **snapshot(submission, ["feedback", "returned_at"]),
            "corrections": [
                f.original_name for f in submission.files.filter(role=FileRole.CORRECTION)
            ],
        }
        removed = [
            f
            for f in remove_corrections or []
            if f.submission_id == submission.pk and f.role == FileRole.CORRECTION
        ]
        names = [f.file.name for f in removed]
        SubmissionFile.objects.filter(pk__in=[f.pk for f in removed]).delete()
        _store(submission, FileRole.CORRECTION, corrections or [], stored, now)
        first_return = submission.returned_at is None
        submission.feedback = feedback.strip()
        submission.returned_at = now
        submission.returned_by = teacher
        submission.save(update_fields=["feedback", "returned_at", "returned_by"])
        record(
            actor=actor,
            establishment=box.establishment,
            action="dropbox.return",
            target=submission,
            before=before,
            after={
                **snapshot(submission, ["feedback", "returned_at"]),
                "corrections": [
                    f.original_name for f in submission.files.filter(role=FileRole.CORRECTION)
                ],
            },
        )
        forget_panels("dropbox", _family(student.pk))
        notify(
            recipients=[student],
            establishment=box.establishment,
            kind=Kind.DROPBOX,
            title=box.title,
            body=_("Votre travail est corrigé et rendu.")
            if first_return
            else _("La correction de votre travail a changé."),
            url=_url(box),
            actor=teacher,
        )
        _forget_files(names)
    return submission
