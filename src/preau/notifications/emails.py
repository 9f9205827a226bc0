"""Notifications by e-mail: one as soon as it is delivered, or a daily digest.

Every e-mail carries a signed unsubscribe link (no login needed) and respects the quiet hours:
an immediate e-mail goes at the notification's ``deliver_at``, a digest only at a moment
when the person may be reached.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from preau.notifications.delivery import is_quiet
from preau.notifications.models import Kind, Notification, NotificationPreference, QuietHours

UNSUBSCRIBE_SALT = "preau.notifications.unsubscribe"
# A first digest covers at most the last week.
FIRST_DIGEST_SPAN = timedelta(days=7)


def portal_url() -> str:
    """The portal's address for links in e-mails (no request at hand in a task)."""
    return getattr(settings, "PORTAL_URL", "http://localhost:8000").rstrip("/")


# -- unsubscribe links ---------------------------------------------------------------------


def unsubscribe_token(person: Any, kinds: Iterable[str]) -> str:
    return signing.dumps(
        {"p": str(person.public_id), "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def read_unsubscribe_token(token: str) -> tuple[str, list[str]]:
    """The person's public id and the kinds; raises signing.BadSignature when tampered."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("p"), str):
        raise signing.BadSignature("malformed unsubscribe token")
    kinds = [k for k in data.get("k") or [] if k in Kind.values]
    if not kinds:
        raise signing.BadSignature("no kind in unsubscribe token")
    return data["p"], kinds


def unsubscribe_url(person: Any, kinds: Iterable[str]) -> str:
    query = urlencode({"t": unsubscribe_token(person, kinds)})
    return f"{portal_url()}{reverse('notifications:unsubscribe')}?{query}"


def _message(person: Any, subject: str, template: str, context: dict[str, Any]) -> EmailMessage:
    link = unsubscribe_url(person, context["kinds"])
    with translation.override(person.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            template,
            {
                **context,
                "person": person,
                "portal_url": portal_url(),
                "unsubscribe_url": link,
                "kind_labels": [str(Kind(k).label) for k in context["kinds"]],
            },
        )
        subject = f"[{translation.gettext('Préau')}] {subject}"
    return EmailMessage(
        subject=subject,
        body=body,
        to=[person.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def _send(messages: list[EmailMessage]) -> None:
    if messages:
        get_connection().send_messages(messages)


# -- immediate e-mails -----------------------------------------------------------------------


def pending_emails(*, public_ids: Iterable[str] | None = None) -> Any:
    """Notifications whose immediate e-mail is still to send."""
    pending = Notification.objects.filter(email_wanted=True, emailed_at__isnull=True)
    if public_ids is not None:
        pending = pending.filter(public_id__in=list(public_ids))
    return pending


def send_due_emails(*, public_ids: Iterable[str] | None = None) -> tuple[int, datetime | None]:
    """Send the immediate e-mails that are due (3 queries); return how many were sent and
    when the next one among ``public_ids`` falls due (None if none is held).

    A notification already read in the portal, or whose kind the person has since turned off,
    is not sent.
    """
    now = timezone.now()
    notifications = list(pending_emails(public_ids=public_ids).select_related("recipient"))
    due = [n for n in notifications if n.deliver_at <= now]
    held = [n.deliver_at for n in notifications if n.deliver_at > now]
    if not due:
        return 0, min(held, default=None)
    preferences = {
        p.person_id: p
        for p in NotificationPreference.objects.filter(person_id__in={n.recipient_id for n in due})
    }
    messages = []
    for notification in due:
        person = notification.recipient
        preference = preferences.get(person.pk)
        if (
            notification.read_at is None
            and person.is_active
            and person.email
            and preference is not None
            and preference.wants_email(notification.kind)
        ):
            messages.append(
                _message(
                    person,
                    notification.title,
                    "notifications/email/notification.txt",
                    {"notification": notification, "kinds": [notification.kind]},
                )
            )
    _send(messages)
    # Those not sent are settled too: read, unsubscribed or without an address.
    Notification.objects.filter(pk__in=[n.pk for n in due]).update(emailed_at=now)
    return len(messages), min(held, default=None)


# -- daily digests ---------------------------------------------------------------------------


def send_digests(*, now: datetime | None = None) -> int:
    """E-mail each person who asked for a digest the unread notifications delivered since
    their last one (4 queries and one e-mail per person). A person in quiet time is left for
    the next run."""
    now = now or timezone.now()
    preferences = list(
        NotificationPreference.objects.exclude(email_digest=[])
        .filter(person__is_active=True)
        .exclude(person__email="")
        .select_related("person")
    )
    if not preferences:
        return 0
    oldest = min(p.last_digest_at or now - FIRST_DIGEST_SPAN for p in preferences)
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for notification in Notification.objects.filter(
        recipient_id__in=[p.person_id for p in preferences],
        read_at__isnull=True,
        emailed_at__isnull=True,
        deliver_at__gt=oldest,
        deliver_at__lte=now,
    ).order_by("deliver_at"):
        by_person[notification.recipient_id].append(notification)
    quiet_hours = {
        q.establishment_id: q
        for q in QuietHours.objects.filter(
            establishment_id__in={n.establishment_id for ns in by_person.values() for n in ns}
        )
    }
    messages, done = [], []
    for preference in preferences:
        since = preference.last_digest_at or now - FIRST_DIGEST_SPAN
        notifications = [
            n
            for n in by_person.get(preference.person_id, [])
            if n.deliver_at > since and n.kind in preference.email_digest
        ]
        establishments = {n.establishment_id for n in notifications}
        if any(is_quiet(now, quiet_hours.get(e, QuietHours()), preference) for e in establishments):
            continue
        done.append(preference)
        if notifications:
            person = preference.person
            with translation.override(person.language or settings.LANGUAGE_CODE):
                subject = translation.ngettext(
                    "%(count)d nouvelle notification",
                    "%(count)d nouvelles notifications",
                    len(notifications),
                ) % {"count": len(notifications)}
            messages.append(
                _message(
                    person,
                    subject,
                    "notifications/email/digest.txt",
                    {"notifications": notifications, "kinds": preference.email_digest},
                )
            )
    _send(messages)
    for preference in done:
        preference.last_digest_at = now
    NotificationPreference.objects.bulk_update(done, ["last_digest_at"])
    return len(messages)
