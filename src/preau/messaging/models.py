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
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, PublicIdModel


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
        indexes = [models.Index(fields=["conversation", "sent_at"])]

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
