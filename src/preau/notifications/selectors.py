"""Reads of the notification centre: each a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone

from preau.notifications.models import Notification
from preau.notifications.policies import visible_notifications

PAGE_SIZE = 20


def unread_count(user: Any) -> int:
    """Due, unread notifications of the person (1 query, on the unread index)."""
    return Notification.objects.filter(
        recipient=user, read_at__isnull=True, deliver_at__lte=timezone.now()
    ).count()


def centre_page(user: Any, number: Any) -> Page:
    """One page of the person's due notifications, newest first (2 queries: count, rows)."""
    notifications = visible_notifications(user).select_related("establishment")
    return Paginator(notifications, PAGE_SIZE).get_page(number)


def latest_unread(user: Any, limit: int = 5) -> list[Notification]:
    """The ``limit`` latest due, unread notifications of the person (1 query)."""
    return list(visible_notifications(user).filter(read_at__isnull=True)[:limit])


def next_delivery(user: Any) -> Any:
    """When the person's next held notification becomes due, if any (1 query)."""
    return (
        Notification.objects.filter(
            recipient=user, read_at__isnull=True, deliver_at__gt=timezone.now()
        )
        .order_by("deliver_at")
        .values_list("deliver_at", flat=True)
        .first()
    )
