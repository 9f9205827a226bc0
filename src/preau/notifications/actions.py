"""Writing notifications, reading them, and the choices of the people and establishments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from preau.audit.actions import record, snapshot
from preau.directory.models import Establishment
from preau.notifications.delivery import next_allowed_time
from preau.notifications.models import Kind, Notification, NotificationPreference, QuietHours
from preau.notifications.policies import can_mark_urgent
from preau.portal.panel_cache import forget_panels


class UrgentNotAllowed(PermissionDenied):
    """Only the head and the CPE may send an urgent notification (it ignores quiet hours)."""


def is_portal_path(url: str) -> bool:
    """A path inside the portal: ``/…``, never an address elsewhere (``//host``, ``https:``)."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    )


def quiet_hours_of(establishment: Establishment) -> QuietHours:
    """The establishment's quiet hours, or the defaults when it never set them (1 query)."""
    return QuietHours.objects.filter(establishment=establishment).first() or QuietHours(
        establishment=establishment
    )


def notify(
    *,
    recipients: Iterable[Any],
    establishment: Establishment,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    urgent: bool = False,
    actor: Any = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Notify each recipient once; return the notifications (their ``deliver_at`` tells the
    sender when each person will see it).

    A fixed number of queries whatever the number of recipients: the quiet hours, the
    preferences, one bulk insert (which Django splits in batches on SQLite), and for an urgent
    notification one audit row. Immediate e-mails are enqueued once the transaction commits,
    one task per delivery time.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    if url and not is_portal_path(url):
        raise ValueError("A notification links to a path inside the portal.")
    if urgent and not can_mark_urgent(actor, establishment):
        raise UrgentNotAllowed
    people = list({person.pk: person for person in recipients}.values())
    if not people:
        return []
    now = now or timezone.now()
    quiet_hours = quiet_hours_of(establishment)
    preferences = {
        p.person_id: p
        for p in NotificationPreference.objects.filter(person_id__in=[p.pk for p in people])
    }
    notifications = []
    for person in people:
        preference = preferences.get(person.pk)
        notifications.append(
            Notification(
                recipient=person,
                establishment=establishment,
                kind=kind,
                title=title[:200],
                body=body[:1000],
                url=url,
                urgent=urgent,
                created_at=now,
                deliver_at=now if urgent else next_allowed_time(now, quiet_hours, preference),
                email_wanted=preference is not None and preference.wants_email(kind),
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(notifications)
        forget_panels("notifications", [n.recipient_id for n in notifications])
        if urgent:
            record(
                actor=actor,
                establishment=establishment,
                action="notifications.urgent",
                after={"kind": kind, "title": title[:200], "recipients": len(notifications)},
            )
        by_time: dict[datetime, list[str]] = defaultdict(list)
        for notification in notifications:
            if notification.email_wanted:
                by_time[notification.deliver_at].append(str(notification.public_id))
        if by_time:
            from preau.notifications.tasks import enqueue_emails

            for deliver_at, public_ids in by_time.items():
                transaction.on_commit(partial(enqueue_emails, public_ids, deliver_at))
    return notifications


def do_mark_read(*, user: Any, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        forget_panels("notifications", [user.pk])


def do_mark_all_read(*, user: Any) -> int:
    """Mark every due notification of the person read (one query)."""
    now = timezone.now()
    forget_panels("notifications", [user.pk])
    return Notification.objects.filter(
        recipient=user, read_at__isnull=True, deliver_at__lte=now
    ).update(read_at=now)


def do_update_preferences(
    *,
    user: Any,
    email_immediate: Iterable[str],
    email_digest: Iterable[str],
    quiet_start: time | None,
    quiet_end: time | None,
    quiet_weekends: bool,
) -> NotificationPreference:
    values = {
        "email_immediate": [k for k in Kind.values if k in set(email_immediate)],
        "email_digest": [k for k in Kind.values if k in set(email_digest)],
        "quiet_start": quiet_start if quiet_start and quiet_end else None,
        "quiet_end": quiet_end if quiet_start and quiet_end else None,
        "quiet_weekends": quiet_weekends,
    }
    preference, _created = NotificationPreference.objects.update_or_create(
        person=user, defaults=values
    )
    return preference


def do_unsubscribe(*, person: Any, kinds: Iterable[str]) -> None:
    """Turn off e-mail (immediate and digest) for these kinds: the unsubscribe link."""
    kinds = set(kinds)
    with transaction.atomic():
        preference = (
            NotificationPreference.objects.select_for_update().filter(person=person).first()
        )
        if preference is None:
            return
        preference.email_immediate = [k for k in preference.email_immediate if k not in kinds]
        preference.email_digest = [k for k in preference.email_digest if k not in kinds]
        preference.save(update_fields=["email_immediate", "email_digest"])


QUIET_HOURS_FIELDS = ["start", "end", "weekends"]


def do_update_quiet_hours(
    *, actor: Any, establishment: Establishment, start: time, end: time, weekends: bool
) -> QuietHours:
    """Set the establishment's quiet hours (audited). Notifications already created keep the
    delivery time they were given."""
    with transaction.atomic():
        quiet_hours = (
            QuietHours.objects.select_for_update().filter(establishment=establishment).first()
        )
        if quiet_hours is None:
            quiet_hours = QuietHours(establishment=establishment)
        before = snapshot(quiet_hours, QUIET_HOURS_FIELDS) if quiet_hours.pk else None
        quiet_hours.start, quiet_hours.end, quiet_hours.weekends = start, end, weekends
        if quiet_hours.pk:
            quiet_hours.save(update_fields=[*QUIET_HOURS_FIELDS, "updated_at"])
        else:
            quiet_hours.save()
        record(
            actor=actor,
            establishment=establishment,
            action="notifications.quiet_hours.update",
            target=establishment,
            before=before,
            after=snapshot(quiet_hours, QUIET_HOURS_FIELDS),
        )
    return quiet_hours
