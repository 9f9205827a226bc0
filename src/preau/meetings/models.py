"""Parent-teacher meetings (« rencontres parents-professeurs »).

The head, a deputy or the CPE creates a ``Campaign``: an evening for some classes, cut into
slots of a fixed length, with a booking window and a cancellation deadline. Each teacher of
those classes (and the CPE) opens ``Availability`` ranges inside the evening, possibly in a
room; each range is cut into ``Slot`` rows. A guardian books a slot for one of their children:
a ``Booking``. The database keeps the rules that must hold under concurrent requests: a slot
has one live booking, and a child has one live booking per teacher in a campaign. That a
guardian's bookings never overlap is checked under a lock of the guardian's row (actions.py).

Times are stored in UTC and shown in Paris time.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, PublicIdModel, SchoolClass, SchoolYear

MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 60


class Campaign(PublicIdModel):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    title = models.CharField(_("titre"), max_length=160)
    classes = models.ManyToManyField(
        SchoolClass, related_name="meeting_campaigns", verbose_name=_("classes")
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    slot_minutes = models.PositiveSmallIntegerField(_("durée d'un créneau (minutes)"))
    booking_opens_at = models.DateTimeField(_("ouverture des réservations"))
    booking_closes_at = models.DateTimeField(_("fermeture des réservations"))
    cancellation_deadline = models.DateTimeField(_("annulation possible jusqu'au"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rencontre parents-professeurs")
        verbose_name_plural = _("rencontres parents-professeurs")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["establishment", "school_year", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meetings_campaign_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=MIN_SLOT_MINUTES)
                & Q(slot_minutes__lte=MAX_SLOT_MINUTES),
                name="meetings_campaign_slot_range",
            ),
            models.CheckConstraint(
                condition=Q(booking_closes_at__gt=models.F("booking_opens_at")),
                name="meetings_campaign_booking_window",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_for_booking(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.booking_opens_at <= now < self.booking_closes_at

    def may_cancel(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) <= self.cancellation_deadline


class Availability(PublicIdModel):
    """A range of the evening a host (teacher or CPE) opened; cut into slots."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="availabilities")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_availabilities"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    room = models.CharField(_("salle"), max_length=60, blank=True)
    # Opened by school life (the CPE, the head, a deputy): every family of the campaign may book
    # it, not only those of the host's pupils.
    for_all_families = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("disponibilité")
        verbose_name_plural = _("disponibilités")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["campaign", "host", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meetings_availability_ends_after",
            )
        ]

    def __str__(self) -> str:
        return f"{self.host} · {self.starts_at:%H:%M}"


class Slot(PublicIdModel):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="slots")
    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="slots")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    # Withdrawn by its host: no longer offered, its booking (if any) cancelled.
    closed_at = models.DateTimeField(_("fermé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["campaign", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "host", "starts_at"], name="meetings_slot_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meetings_slot_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host} · {timezone.localtime(self.starts_at):%H:%M}"


class Booking(PublicIdModel):
    """A guardian's meeting with a host, about one child. Cancelled rows stay, for the record."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="bookings")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="bookings")
    # Copied from the slot so that the database can hold « one teacher per child » itself.
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_bookings"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("réservé le"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["slot__starts_at", "id"]
        indexes = [
            models.Index(fields=["guardian", "campaign"]),
            models.Index(fields=["student", "campaign"]),
            models.Index(fields=["campaign", "host"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(cancelled_at__isnull=True),
                name="meetings_booking_one_per_slot",
            ),
            models.UniqueConstraint(
                fields=["campaign", "host", "student"],
                condition=Q(cancelled_at__isnull=True),
                name="meetings_booking_one_per_host_and_child",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot} · {self.student}"

    @property
    def is_live(self) -> bool:
        return self.cancelled_at is None
