"""Notifications, the establishment's quiet hours and each person's preferences.

A notification's delivery time is decided once, when it is created (the right to disconnect:
see delivery.py), and stored: the centre and the bell show only what is due, so nothing has to
be scheduled for the portal. Quiet hours are wall-clock times in the portal's time zone
(Europe/Paris); datetimes are stored in UTC.
"""

import uuid
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MESSAGE = "message", _("Messages")
    NEWS = "news", _("Actualités")
    GRADE = "grade", _("Notes")
    ABSENCE = "absence", _("Absences et retards")
    HOMEWORK = "homework", _("Travail à faire")
    NOTEBOOK = "notebook", _("Carnet de correspondance")
    DISCIPLINE = "discipline", _("Punitions et sanctions")
    CALENDAR = "calendar", _("Agenda")
    DRIVE = "drive", _("Documents partagés")
    DROPBOX = "dropbox", _("Casiers")
    GROUPS = "groups", _("Espaces de groupe")
    TIMETABLE = "timetable", _("Emploi du temps")
    MEETINGS = "meetings", _("Rencontres parents-professeurs")
    SYSTEM = "system", _("Informations du portail")


class Notification(models.Model):
    """Something a service tells one person; shown from ``deliver_at`` on."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("destinataire"),
    )
    establishment = models.ForeignKey(
        "directory.Establishment",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("établissement"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), max_length=1000, blank=True)
    # A path inside the portal (never an absolute address: no open redirect).
    url = models.CharField(_("lien"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    deliver_at = models.DateTimeField(_("remise le"))
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    # The recipient asked for an e-mail as soon as it is delivered; sent when emailed_at is set.
    email_wanted = models.BooleanField(default=False, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-deliver_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "deliver_at"], name="notification_recipient"),
            models.Index(
                fields=["recipient", "deliver_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["deliver_at"],
                condition=Q(email_wanted=True, emailed_at__isnull=True),
                name="notification_email_due",
            ),
            models.Index(fields=["establishment", "created_at"], name="notification_establishment"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


DEFAULT_QUIET_START = time(20, 0)
DEFAULT_QUIET_END = time(7, 0)


class QuietHours(models.Model):
    """When an establishment's people are not reached (every day, and weekends if chosen).

    A window whose start is after its end crosses midnight (20:00 to 07:00). An establishment
    without a row has the defaults.
    """

    establishment = models.OneToOneField(
        "directory.Establishment",
        on_delete=models.CASCADE,
        related_name="quiet_hours",
        verbose_name=_("établissement"),
    )
    start = models.TimeField(_("début des heures calmes"), default=DEFAULT_QUIET_START)
    end = models.TimeField(_("fin des heures calmes"), default=DEFAULT_QUIET_END)
    weekends = models.BooleanField(_("week-ends calmes"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("heures calmes")
        verbose_name_plural = _("heures calmes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(start=models.F("end")),
                name="quiet_hours_not_empty",
                violation_error_message=_("Le début et la fin des heures calmes doivent différer."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class NotificationPreference(models.Model):
    """A person's channels per kind, and the quiet time they add to their establishments'.

    Stored for the person (national, whatever their establishments). The portal channel is
    always on; ``email_immediate`` and ``email_digest`` list the kinds sent by e-mail.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("personne"),
    )
    quiet_start = models.TimeField(_("début de ma plage de calme"), null=True, blank=True)
    quiet_end = models.TimeField(_("fin de ma plage de calme"), null=True, blank=True)
    quiet_weekends = models.BooleanField(_("week-ends calmes"), default=False)
    email_immediate = models.JSONField(_("e-mail immédiat"), default=list, blank=True)
    email_digest = models.JSONField(_("récapitulatif quotidien"), default=list, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("préférences de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="preference_quiet_window_whole",
            )
        ]

    def __str__(self) -> str:
        return str(self.person)

    def wants_email(self, kind: str) -> bool:
        return kind in self.email_immediate
