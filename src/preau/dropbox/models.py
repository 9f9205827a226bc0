"""Drop boxes (« casiers »): where the students of a class or group hand in work for a teacher.

A teacher opens a drop box for one class or one group they teach, with a deadline. Each
student's hand-in is a ``Submission`` (one per student and drop box, created at the first file)
holding the files they handed in and, once the teacher returns the work, the feedback and the
corrected files. Whether a hand-in is late is read from its time and the current deadline, so
moving the deadline re-judges every hand-in. Files are served by views that check access first,
never from a public media URL.

The class logbook's homework will point to a drop box (a nullable key on its side or on this
one, added with the logbook): a drop box already carries what a homework sets — a class or a
group, a subject and a date.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import (
    Establishment,
    PublicIdModel,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingGroup,
)

MAX_FILES_LIMIT = 10


def _stored_name(instance: Any, filename: str) -> str:
    """An unguessable path inside the establishment's folder; the extension is ours."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dropbox/{instance.establishment.public_id}/{uuid.uuid4().hex}.{extension}"


class DropBox(PublicIdModel):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="drop_boxes",
        verbose_name=_("professeur"),
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("classe"),
    )
    group = models.ForeignKey(
        TeachingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("groupe"),
    )
    subject = models.ForeignKey(
        Subject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matière"),
    )
    title = models.CharField(_("titre"), max_length=160)
    instructions = models.TextField(_("consignes"), blank=True)
    opens_at = models.DateTimeField(_("ouverture"), default=timezone.now)
    deadline = models.DateTimeField(_("date limite"))
    accepts_late = models.BooleanField(_("dépôts en retard acceptés"), default=False)
    max_files = models.PositiveSmallIntegerField(_("fichiers par élève"), default=3)
    closed_at = models.DateTimeField(_("fermé le"), null=True, blank=True)
    # When the teacher last looked at the hand-ins: later ones are « new » on their home page.
    teacher_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("casier")
        verbose_name_plural = _("casiers")
        ordering = ["-deadline", "-id"]
        indexes = [
            models.Index(fields=["establishment", "school_class", "deadline"]),
            models.Index(fields=["establishment", "group", "deadline"]),
            models.Index(fields=["establishment", "teacher", "deadline"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, group__isnull=True)
                | Q(school_class__isnull=True, group__isnull=False),
                name="dropbox_class_xor_group",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opens_at")),
                name="dropbox_deadline_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(max_files__gte=1) & Q(max_files__lte=MAX_FILES_LIMIT),
                name="dropbox_max_files_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audience(self) -> SchoolClass | TeachingGroup | None:
        return self.school_class or self.group

    def has_opened(self, now: datetime | None = None) -> bool:
        return self.opens_at <= (now or timezone.now())

    def is_open(self, now: datetime | None = None) -> bool:
        """Opened and not closed by its teacher (the deadline may have passed)."""
        return self.opens_at <= (now or timezone.now()) and self.closed_at is None

    def is_past_deadline(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) > self.deadline

    def accepts_hand_ins(self, now: datetime | None = None) -> bool:
        """Open, and before the deadline or accepting late hand-ins."""
        now = now or timezone.now()
        return self.is_open(now) and (not self.is_past_deadline(now) or self.accepts_late)


class Submission(PublicIdModel):
    """A student's hand-in in a drop box: their files, then the teacher's feedback."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    drop_box = models.ForeignKey(DropBox, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drop_box_submissions"
    )
    # The last time the student's files changed; empty while nothing is handed in.
    submitted_at = models.DateTimeField(_("rendu le"), null=True, blank=True)
    feedback = models.TextField(_("appréciation"), blank=True)
    returned_at = models.DateTimeField(_("corrigé rendu le"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dépôt")
        verbose_name_plural = _("dépôts")
        constraints = [
            models.UniqueConstraint(
                fields=["drop_box", "student"], name="dropbox_submission_unique"
            )
        ]
        indexes = [models.Index(fields=["student", "drop_box"])]

    def __str__(self) -> str:
        return f"{self.drop_box} · {self.student}"

    def is_late(self) -> bool:
        return self.submitted_at is not None and self.submitted_at > self.drop_box.deadline


class FileRole(models.TextChoices):
    WORK = "work", _("Travail de l'élève")
    CORRECTION = "correction", _("Corrigé du professeur")


class SubmissionFile(PublicIdModel):
    """A file handed in by the student, or a corrected file returned by the teacher."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(_("rôle"), max_length=16, choices=FileRole.choices)
    file = models.FileField(_("fichier"), upload_to=_stored_name, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(_("type"), max_length=100)
    created_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        verbose_name = _("fichier déposé")
        verbose_name_plural = _("fichiers déposés")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["submission", "role"])]

    def __str__(self) -> str:
        return self.original_name
