"""Messaging (« Messagerie »): conversations, messages, each person's mailbox, attachments and
the establishment's rules of who may write to whom.

A message is written once; each person who has it gets one ``MessageRecipient`` row, their
mailbox entry (the sender's in « Envoyés » or « Brouillons », each recipient's in « Réception »),
which carries the folder, the read state and the deletion. A folder is thus one indexed query on
(person, establishment, folder, sort_at). Bodies are HTML sanitised by the actions; files are
served by views that check access first.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, PublicIdModel

# The highest hourly limits an establishment may set: a student never reaches the mass-send
# threshold (actions.MASS_SEND_THRESHOLD).
STUDENT_LIMIT_MAX = 30
GUARDIAN_LIMIT_MAX = 100
STAFF_LIMIT_MAX = 20000


class MessagingRules(models.Model):
    """Who may write to whom in an establishment. Without a row, the defaults apply."""

    establishment = models.OneToOneField(
        Establishment,
        on_delete=models.CASCADE,
        related_name="messaging_rules",
        verbose_name=_("établissement"),
    )
    students_to_teachers = models.BooleanField(
        _("Les élèves écrivent à leurs professeurs et à leur professeur principal"), default=True
    )
    students_to_school_life = models.BooleanField(_("Les élèves écrivent au CPE"), default=True)
    students_to_students = models.BooleanField(
        _("Les élèves écrivent aux autres élèves"), default=False
    )
    guardians_to_teachers = models.BooleanField(
        _("Les responsables écrivent aux professeurs de leurs enfants"), default=True
    )
    guardians_to_direction = models.BooleanField(
        _("Les responsables écrivent au chef d'établissement, au CPE et au secrétariat"),
        default=True,
    )
    guardians_to_guardians = models.BooleanField(
        _("Les responsables écrivent aux autres responsables"), default=False
    )
    staff_to_students = models.BooleanField(_("Les personnels écrivent aux élèves"), default=True)
    staff_to_guardians = models.BooleanField(
        _("Les personnels écrivent aux responsables"), default=True
    )
    read_receipts = models.BooleanField(
        _("Accusés de lecture"),
        default=False,
        help_text=_("L'expéditeur voit combien de destinataires ont lu son message."),
    )
    # Abuse limits: how many recipients a sender reaches in an hour, by profile. A student stays
    # under the mass-send threshold whatever is stored here (see policies.hourly_limit).
    student_hourly_limit = models.PositiveIntegerField(
        _("Destinataires par heure pour un élève"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(STUDENT_LIMIT_MAX)],
        help_text=_("Un élève n'écrit jamais à une liste."),
    )
    guardian_hourly_limit = models.PositiveIntegerField(
        _("Destinataires par heure pour un responsable"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(GUARDIAN_LIMIT_MAX)],
    )
    staff_hourly_limit = models.PositiveIntegerField(
        _("Destinataires par heure pour un personnel"),
        default=1000,
        validators=[MinValueValidator(1), MaxValueValidator(STAFF_LIMIT_MAX)],
    )
    # Messaging suspended at once for every student or every guardian of the establishment
    # (a wave of hijacked accounts). Staff are never suspended by profile.
    students_suspended = models.BooleanField(
        _("Messagerie suspendue pour les élèves"), default=False, editable=False
    )
    guardians_suspended = models.BooleanField(
        _("Messagerie suspendue pour les responsables"), default=False, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    FIELDS = [
        "students_to_teachers",
        "students_to_school_life",
        "students_to_students",
        "guardians_to_teachers",
        "guardians_to_direction",
        "guardians_to_guardians",
        "staff_to_students",
        "staff_to_guardians",
        "read_receipts",
    ]
    LIMIT_FIELDS = ["student_hourly_limit", "guardian_hourly_limit", "staff_hourly_limit"]
    SUSPENSION_FIELDS = {"student": "students_suspended", "guardian": "guardians_suspended"}

    class Meta:
        verbose_name = _("règles de la messagerie")
        verbose_name_plural = _("règles de la messagerie")

    def __str__(self) -> str:
        return str(self.establishment)


class Conversation(PublicIdModel):
    """A thread: the first message and its replies, in one establishment."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    subject = models.CharField(_("objet"), max_length=200)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [models.Index(fields=["establishment", "created_at"])]

    def __str__(self) -> str:
        return self.subject


class Message(PublicIdModel):
    """One message of a conversation; a draft until ``sent_at`` is set.

    ``addressed_to`` keeps what the author chose: people (primary keys) and lists (code and
    label at the time of sending). Drafts are sent from it; reply-all and the « À » line read it.
    """

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("expéditeur"),
    )
    body = models.TextField(_("message"), blank=True)
    addressed_to = models.JSONField(default=dict, blank=True, editable=False)
    recipient_count = models.PositiveIntegerField(_("destinataires"), default=0)
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    forwarded_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transféré de"),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "sent_at"]),
            # The hourly limit: what a sender sent in an establishment lately.
            models.Index(
                fields=["sender", "establishment", "sent_at"], name="messaging_message_sender"
            ),
        ]

    def __str__(self) -> str:
        # Never the subject nor the body: audit rows name messages by this.
        return f"{self._meta.verbose_name} {self.public_id}"

    @property
    def is_draft(self) -> bool:
        return self.sent_at is None

    @property
    def people_ids(self) -> list[int]:
        return [int(pk) for pk in (self.addressed_to or {}).get("people", [])]

    @property
    def lists(self) -> list[dict[str, str]]:
        return list((self.addressed_to or {}).get("lists", []))


class Folder(models.TextChoices):
    INBOX = "inbox", _("Réception")
    SENT = "sent", _("Envoyés")
    DRAFTS = "drafts", _("Brouillons")
    TRASH = "trash", _("Corbeille")


class MessageRecipient(models.Model):
    """A person's copy of a message: their folder, read state and deletion.

    ``sort_at`` repeats the message's time so that a folder is read from one index, newest
    first. ``previous_folder`` is where « Restaurer » puts an entry back from the trash;
    ``deleted_at`` hides it for good (the message stays for the other participants).
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="entries")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_entries"
    )
    folder = models.CharField(_("dossier"), max_length=8, choices=Folder.choices)
    previous_folder = models.CharField(max_length=8, choices=Folder.choices, blank=True)
    sort_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message reçu ou envoyé")
        verbose_name_plural = _("messages reçus ou envoyés")
        constraints = [
            models.UniqueConstraint(fields=["message", "person"], name="messaging_entry_unique")
        ]
        indexes = [
            models.Index(
                fields=["person", "establishment", "folder", "-sort_at"],
                condition=Q(deleted_at__isnull=True),
                name="messaging_entry_folder",
            ),
            models.Index(
                fields=["person", "establishment", "folder"],
                condition=Q(deleted_at__isnull=True, read_at__isnull=True),
                name="messaging_entry_unread",
            ),
            models.Index(fields=["person", "conversation"], name="messaging_entry_thread"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.message}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def _stored_name(instance: Any, filename: str) -> str:
    """An unguessable path inside the establishment's folder; the extension is ours."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"messaging/{instance.establishment.public_id}/{uuid.uuid4().hex}.{extension}"


class Attachment(PublicIdModel):
    """A file of a message, checked by extension and content before it was stored.

    A forwarded message gets new rows pointing at the same stored file.
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to=_stored_name, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(_("type"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["original_name", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReportStatus(models.TextChoices):
    OPEN = "open", _("À traiter")
    CLOSED = "closed", _("Traité")


class ReportOutcome(models.TextChoices):
    DISMISSED = "dismissed", _("Classé sans suite")
    SUSPENDED = "suspended", _("Expéditeur suspendu")


class Report(PublicIdModel):
    """A received message a recipient reported to the establishment's moderation.

    Those who administer the establishment read the reported message, and only it: the report
    is the recipient's consent to show it. Each recipient reports a message once.
    """

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="reports", verbose_name=_("message")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("signalé par"),
    )
    reason = models.TextField(_("motif"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("signalé le"), default=timezone.now)
    status = models.CharField(
        _("état"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    outcome = models.CharField(
        _("suite donnée"), max_length=12, choices=ReportOutcome.choices, blank=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traité par"),
    )
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="messaging_report_unique")
        ]
        indexes = [
            models.Index(
                fields=["establishment", "status", "created_at"], name="messaging_report_queue"
            )
        ]

    def __str__(self) -> str:
        # Never the message's text nor the reason: audit rows name reports by this.
        return f"{self._meta.verbose_name} {self.public_id}"


class Suspension(PublicIdModel):
    """One person's messaging suspended in one establishment, until it is lifted."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("personne"),
    )
    report = models.ForeignKey(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signalement"),
    )
    created_at = models.DateTimeField(_("suspendue le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("suspendue par"),
    )
    lifted_at = models.DateTimeField(_("levée le"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("levée par"),
    )

    class Meta:
        verbose_name = _("suspension de la messagerie")
        verbose_name_plural = _("suspensions de la messagerie")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "person"],
                condition=Q(lifted_at__isnull=True),
                name="messaging_suspension_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.public_id}"
