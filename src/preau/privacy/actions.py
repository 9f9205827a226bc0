"""Writes of the privacy service: the establishment's notice, and the start of an export."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.audit.actions import record, save_audited
from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.directory.models import Establishment
from preau.privacy.models import PrivacyNotice

EXPORT_ACTION = "privacy.export"
# One export per person per hour: an archive holds a whole account, and a loop of requests
# would tie up a web worker each.
EXPORT_INTERVAL = timedelta(hours=1)
NOTICE_FIELDS = ["dpo_name", "dpo_email", "dpo_address", "extra_text"]


class ExportTooSoon(Exception):
    def __init__(self, next_at: Any) -> None:
        self.next_at = next_at
        super().__init__(
            _("Vous avez déjà demandé l'export de vos données il y a moins d'une heure.")
        )


def last_export_at(person: Any) -> Any:
    """When the person last exported their data (the audit trail is the record)."""
    return (
        AuditEntry.objects.filter(actor=person, action=EXPORT_ACTION)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def do_start_export(*, actor: Actor) -> None:
    """Record an export of the actor's data, or refuse it within the hour after the last one.

    The audit row doubles as the rate limit's memory; the archive itself is streamed by the view.
    """
    person = actor.user
    with transaction.atomic():
        # Lock the person's row so that two requests at once cannot both pass the check.
        get_user_model().objects.select_for_update().filter(pk=person.pk).values_list("pk").first()
        last = last_export_at(person)
        if last is not None and timezone.now() < last + EXPORT_INTERVAL:
            raise ExportTooSoon(last + EXPORT_INTERVAL)
        record(
            actor=person,
            establishment=actor.establishment,
            action=EXPORT_ACTION,
            target=person,
        )


def do_update_notice(
    *, actor: Actor, establishment: Establishment, changes: dict[str, Any]
) -> PrivacyNotice:
    with transaction.atomic():
        notice, _created = PrivacyNotice.objects.select_for_update().get_or_create(
            establishment=establishment
        )
        changes = {name: changes[name] for name in NOTICE_FIELDS}
        save_audited(
            actor=actor,
            establishment=establishment,
            action="privacy.notice",
            target=notice,
            changes=changes,
        )
        notice.updated_by = actor.user
        notice.save(update_fields=["updated_by", "updated_at"])
    return notice
