"""The correspondence notebook (« carnet de correspondance »): what the school writes to the
guardians of a student, and what the guardians write to the school, kept per student.

An ``Entry`` concerns one student. A send to a whole class or group makes one entry per student,
sharing a ``batch`` id, so that each family signs its own and the author sees, per send, who has
signed. Guardians sign (« signer ») each entry written by the school; an authorisation also asks
them a yes/no answer before a deadline. Guardians write requests and messages (to the head
teacher or to school life), which the staff answer in the entry's thread (``Reply``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import PublicIdModel


class Kind(models.TextChoices):
    # Written by the school.
    INFORMATION = "information", _("Information")
    CONVOCATION = "convocation", _("Convocation")
    DISCIPLINE = "discipline", _("Observation / avis disciplinaire")
    AUTHORISATION = "authorisation", _("Demande d'autorisation")
    # Written by a guardian.
    REQUEST = "request", _("Demande de la famille")
    MESSAGE = "message", _("Message de la famille")


SCHOOL_KINDS = (Kind.INFORMATION, Kind.CONVOCATION, Kind.DISCIPLINE, Kind.AUTHORISATION)
FAMILY_KINDS = (Kind.REQUEST, Kind.MESSAGE)


class Recipient(models.TextChoices):
    """Whom a guardian writes to."""

    HEAD_TEACHER = "head_teacher", _("Le professeur principal")
    SCHOOL_LIFE = "school_life", _("La vie scolaire (CPE)")


class Entry(PublicIdModel):
    """One page of one student's notebook."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    school_year = models.ForeignKey("directory.SchoolYear", on_delete=models.PROTECT)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("élève"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("auteur"),
    )
    kind = models.CharField(_("nature"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("objet"), max_length=150)
    text = models.TextField(_("texte"), max_length=4000)
    # The entries written together to a class or a group share a batch, and say to whom.
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    audience = models.CharField(_("destinataires"), max_length=80, blank=True)
    guardians_only = models.BooleanField(_("pour les responsables seulement"), default=False)
    # A convocation.
    meeting_at = models.DateTimeField(_("date et heure"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=120, blank=True)
    # An authorisation: the question, its deadline and the family's answer.
    question = models.CharField(_("question"), max_length=300, blank=True)
    answer_by = models.DateTimeField(_("réponse attendue avant le"), null=True, blank=True)
    answer = models.BooleanField(_("réponse"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("répondu par"),
    )
    # An observation may record a punishment of the discipline service.
    measure = models.ForeignKey(
        "discipline.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("punition ou sanction"),
    )
    # A guardian's entry: to the head teacher (named) or to school life.
    recipient = models.CharField(
        _("destinataire"), max_length=16, choices=Recipient.choices, blank=True
    )
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adressée à"),
    )
    # Signatures: one guardian's is enough unless the author asked for every legal guardian's.
    every_guardian = models.BooleanField(_("signature de chaque responsable"), default=False)
    signed_at = models.DateTimeField(_("signée le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("relance le"), null=True, blank=True)
    created_at = models.DateTimeField(_("écrite le"))

    class Meta:
        verbose_name = _("mot du carnet")
        verbose_name_plural = _("mots du carnet")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["establishment", "student", "created_at"]),
            models.Index(fields=["establishment", "author", "created_at"]),
            models.Index(fields=["establishment", "signed_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"

    @property
    def from_family(self) -> bool:
        return self.kind in FAMILY_KINDS

    @property
    def needs_signature(self) -> bool:
        return self.kind in SCHOOL_KINDS

    @property
    def awaits_signature(self) -> bool:
        return self.needs_signature and self.signed_at is None

    @property
    def is_authorisation(self) -> bool:
        return self.kind == Kind.AUTHORISATION

    def answer_open(self, now: Any) -> bool:
        """An authorisation's answer may be given or changed until its deadline."""
        return self.is_authorisation and (self.answer_by is None or now <= self.answer_by)


class Signature(models.Model):
    """A guardian's « vu et signé » of an entry: who and when, once per guardian."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="signatures")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    signed_at = models.DateTimeField(_("signée le"))

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "guardian"], name="notebook_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.guardian} · {self.signed_at:%d/%m/%Y %H:%M}"


class Reply(models.Model):
    """A message in an entry's thread (the school answering a request, a guardian replying)."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("réponse"), max_length=4000)
    created_at = models.DateTimeField(_("écrite le"))

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} · {self.created_at:%d/%m/%Y %H:%M}"


def _stored_name(instance: Any, filename: str) -> str:
    """An unguessable path inside the establishment's folder; the extension is ours."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"notebook/{instance.establishment.public_id}/{uuid.uuid4().hex}.{extension}"


class Attachment(PublicIdModel):
    """A file of an entry, checked before it was stored. The entries of one class send point
    at the same stored file."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to=_stored_name, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(_("type"), max_length=100)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["original_name", "id"]

    def __str__(self) -> str:
        return self.original_name


class NotebookSettings(models.Model):
    """An establishment's choices for the notebook."""

    establishment = models.OneToOneField(
        "directory.Establishment", on_delete=models.CASCADE, related_name="notebook_settings"
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("relance des familles après (jours)"),
        default=3,
        help_text=_("0 : pas de relance."),
    )

    class Meta:
        verbose_name = _("réglages du carnet")
        verbose_name_plural = _("réglages du carnet")

    def __str__(self) -> str:
        return str(self.establishment)
