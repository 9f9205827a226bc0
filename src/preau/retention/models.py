"""Retention periods: the national ones (constants) and those an establishment sets."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# An account is deleted when more than this many days have passed since the day its last
# membership closed (``User.left_at``): on day 91, never on day 90 (docs/privacy.md).
ACCOUNT_DAYS = 90
# Connection logs (login events, closed account sessions) are kept one year.
CONNECTION_LOG_DAYS = 365


@dataclass(frozen=True)
class Bounds:
    default: int
    minimum: int
    maximum: int


# Periods an establishment may change, in days, within these bounds.
BOUNDS = {
    # Read notifications: the bell's history.
    "read_notifications_days": Bounds(default=90, minimum=30, maximum=365),
    # Documents attached to an absence justification, counted from the school life's decision;
    # the justification itself (reason, decision) stays with the attendance record.
    "justification_documents_days": Bounds(default=365, minimum=30, maximum=730),
}


class RetentionSettings(models.Model):
    """An establishment's retention periods (the defaults when it has no row)."""

    establishment = models.OneToOneField(
        "directory.Establishment", on_delete=models.CASCADE, related_name="retention_settings"
    )
    read_notifications_days = models.PositiveSmallIntegerField(
        _("notifications lues (jours)"), default=BOUNDS["read_notifications_days"].default
    )
    justification_documents_days = models.PositiveSmallIntegerField(
        _("justificatifs d'absence après la décision (jours)"),
        default=BOUNDS["justification_documents_days"].default,
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("durées de conservation")
        verbose_name_plural = _("durées de conservation")

    def __str__(self) -> str:
        return str(self.establishment)
