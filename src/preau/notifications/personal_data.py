"""A person's notifications, for the export of their data (preau.privacy)."""

from typing import Any

from django.db.models import F

from preau.notifications.models import Notification, NotificationPreference
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    notifications = (
        Notification.objects.filter(recipient=person)
        .order_by("created_at", "pk")
        .values(
            "kind",
            "title",
            "body",
            "url",
            "urgent",
            "created_at",
            "deliver_at",
            "read_at",
            "emailed_at",
            etablissement=F("establishment__name"),
        )
    )
    preferences = NotificationPreference.objects.filter(person=person).values(
        "quiet_start", "quiet_end", "quiet_weekends", "email_immediate", "email_digest"
    )
    return PersonalData(
        records={"notifications": rows(notifications), "preferences": rows(preferences)}
    )
