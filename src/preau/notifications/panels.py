"""The notifications' dashboard panel: the person's latest unread notifications."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from preau.notifications.selectors import latest_unread, next_delivery
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """Notifications are the person's own, whichever child a guardian is looking at.

    Cached until a notification arrives or is read, or the next held one is due.
    """

    def compute() -> tuple[dict[str, Any] | None, datetime | None]:
        notifications = latest_unread(actor.user)
        context = {"notifications": notifications} if notifications else None
        return context, next_delivery(actor.user)

    return cached_panel(actor, child, "notifications", compute, "notifications/panel.html")
