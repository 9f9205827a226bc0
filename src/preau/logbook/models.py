"""The class logbook (« Cahier de textes »): what was done in each lesson and the homework set.

An ``Entry`` belongs to one timetable lesson (at most one per lesson); a ``Homework`` is given
on a lesson and due for a later lesson of the same class or group, or on a date (``due_date``
is always filled: the due lesson's date when there is one). Texts are HTML sanitised by the
actions before they are stored; files are served by views that check access first.

A student's « fait » (``HomeworkDone``) is theirs: shown to them and to their guardians, never
to teachers one by one (a teacher sees how many students ticked it). A ``Visa`` is the head's
signature on a class's logbook for a period.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from preau.directory.models import (
    Establishment,
    PublicIdModel,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingGroup,
)
from preau.timetable.models import Lesson


def _stored_name(instance: Any, filename: str) -> str:
    """An unguessable path inside the establishment's folder; the extension is ours."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"logbook/{instance.establishment.public_id}/{uuid.uuid4().hex}.{extension}"


class LogbookSettings(models.Model):
    """An establishment's workload thresholds: a day above them is shown with a warning."""

    establishment = models.OneToOneField(
        Establishment, on_delete=models.CASCADE, related_name="logbook_settings"
    )
    max_tests_per_day = models.PositiveSmallIntegerField(_("contrôles par jour au plus"), default=1)
    max_minutes_per_day = models.PositiveSmallIntegerField(
        _("minutes de travail par jour au plus"), default=90
    )

    class Meta:
        verbose_name = _("réglages du cahier de textes")
        verbose_name_plural = _("réglages du cahier de textes")

    def __str__(self) -> str:
        return str(self.establishment)


class Entry(PublicIdModel):
    """What was done in one lesson."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="logbook_entry")
    content = models.TextField(_("contenu de la séance"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("séance du cahier de textes")
        verbose_name_plural = _("séances du cahier de textes")
        indexes = [models.Index(fields=["establishment", "school_year"])]

    def __str__(self) -> str:
        return str(self.lesson)


class HomeworkKind(models.TextChoices):
    READ = "read", _("À lire")
    LEARN = "learn", _("À apprendre")
    WRITTEN = "written", _("Travail écrit")
    TEST = "test", _("Contrôle")
    HAND_IN = "hand_in", _("À rendre")


class Homework(PublicIdModel):
    """Work given on a lesson, due for a later lesson of the same audience or on a date."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="homework", verbose_name=_("donné le")
    )
    # The lesson's audience and subject, kept here so that lists read one table.
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    due_lesson = models.ForeignKey(
        Lesson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homework_due",
        verbose_name=_("pour la séance"),
    )
    due_date = models.DateField(_("pour le"))
    kind = models.CharField(_("type"), max_length=10, choices=HomeworkKind.choices)
    minutes = models.PositiveSmallIntegerField(_("durée estimée (minutes)"), default=0)
    instructions = models.TextField(_("consignes"))
    drop_box = models.ForeignKey(
        "dropbox.DropBox",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("casier de dépôt"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("travail à faire")
        verbose_name_plural = _("travail à faire")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["school_class", "due_date"]),
            models.Index(fields=["group", "due_date"]),
            models.Index(fields=["establishment", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, group__isnull=True)
                | Q(school_class__isnull=True, group__isnull=False),
                name="homework_class_xor_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_kind_display()} · {self.due_date}"

    @property
    def audience(self) -> SchoolClass | TeachingGroup:
        return self.school_class or self.group


class Attachment(PublicIdModel):
    """A file of an entry or of a homework, checked by extension and content before stored."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    homework = models.ForeignKey(
        Homework, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("fichier"), upload_to=_stored_name, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(_("type"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["original_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(entry__isnull=False, homework__isnull=True)
                | Q(entry__isnull=True, homework__isnull=False),
                name="logbook_attachment_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class HomeworkDone(models.Model):
    """A student ticked a homework done. Private: see the module."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="done_marks")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["homework", "student"], name="homework_done_unique")
        ]
        indexes = [models.Index(fields=["student", "homework"])]

    def __str__(self) -> str:
        return f"{self.student_id} · {self.homework_id}"


class Visa(PublicIdModel):
    """The head's (or a deputy's) signature on a class's logbook for a period."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="+", verbose_name=_("classe")
    )
    period_start = models.DateField(_("du"))
    period_end = models.DateField(_("au"))
    comment = models.TextField(_("commentaire"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("visé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("visa du cahier de textes")
        verbose_name_plural = _("visas du cahier de textes")
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["school_class", "-signed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="visa_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} · {self.period_start} → {self.period_end}"
