"""Background work of the notifications: immediate e-mails and daily digests.

The portal needs no task (delivery times are stored and read); e-mails do. A task is enqueued
to run at the notifications' delivery time when the backend can defer; otherwise it runs now,
sends what is due, and the ``send_notification_emails`` command sends the rest when due.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from preau.notifications import emails


def enqueue_emails(public_ids: list[str], deliver_at: datetime) -> None:
    """Send the immediate e-mails of these notifications at ``deliver_at``."""
    pending = send_notification_emails
    if deliver_at > timezone.now() and pending.get_backend().supports_defer:
        pending = pending.using(run_after=deliver_at)
    pending.enqueue(public_ids)


@task()
def send_notification_emails(public_ids: list[str]) -> int:
    sent, next_due = emails.send_due_emails(public_ids=public_ids)
    if next_due is not None and send_notification_emails.get_backend().supports_defer:
        # Run early (a clock moved, a retry): go again when the rest is due.
        send_notification_emails.using(run_after=next_due).enqueue(public_ids)
    return sent


@task()
def send_notification_digests() -> int:
    return emails.send_digests()
