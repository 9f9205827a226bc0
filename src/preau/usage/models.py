"""Usage statistics: raw inputs written while people use the portal, and daily aggregates.

Raw inputs (deleted once aggregated):
- ``VisitCount``: visits counted in a web process's memory and flushed every minute, one row per
  (day, establishment, service, profile) per flush; summed into ``ServiceDay`` then deleted.
- ``DailyVisitor``: one row per person, establishment and day they used the portal, written at
  their first request of the day (and once more per further service of the day). Kept only
  while a week or month that is not finished still needs it (see actions.aggregate_day).

Aggregates (per establishment; no person in them): ``ProfileDay``, ``ServiceDay``,
``ServiceMonth`` and ``AbsenceDay``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment


class VisitCount(models.Model):
    day = models.DateField()
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    service = models.CharField(max_length=40)
    profile = models.CharField(max_length=16)
    visits = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.service} {self.profile}: {self.visits}"


class DailyVisitor(models.Model):
    day = models.DateField()
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    profile = models.CharField(max_length=16)
    # The services used that day, one bit per code of nomenclature.CODES.
    services = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "establishment", "person"], name="usage_visitor_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.establishment_id}"


class ProfileDay(models.Model):
    """One establishment's figures for one profile on one day."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    profile = models.CharField(max_length=16)
    accounts = models.PositiveIntegerField(default=0)
    # Accounts that have logged in at least once.
    activated = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    # Distinct visitors from the week's Monday (or the month's first day) up to this day.
    week_visitors = models.PositiveIntegerField(default=0)
    month_visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "day", "profile"], name="usage_profile_day_unique"
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.profile}"


class ServiceDay(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    service = models.CharField(max_length=40)
    profile = models.CharField(max_length=16)
    visits = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "day", "service", "profile"],
                name="usage_service_day_unique",
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.service} {self.profile}"


class ServiceMonth(models.Model):
    """A month's figures per service and profile, up to the last aggregated day of the month."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text=_("Premier jour du mois."))
    service = models.CharField(max_length=40)
    profile = models.CharField(max_length=16)
    visits = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "month", "service", "profile"],
                name="usage_service_month_unique",
            )
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service} {self.profile}"


class AbsenceDay(models.Model):
    """Half-days of absence counted on one day in one establishment, and how many students."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    half_days = models.PositiveIntegerField(default=0)
    students = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "day"], name="usage_absence_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.half_days}"


class AggregatedDay(models.Model):
    """A day whose raw inputs have been aggregated (for every establishment)."""

    day = models.DateField(unique=True)
    aggregated_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.day)
