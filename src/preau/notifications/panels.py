"""The notifications' dashboard panel: the person's latest unread notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preau.notifications.selectors import latest_unread

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """Notifications are the person's own, whichever child a guardian is looking at."""
    notifications = latest_unread(actor.user)
    if not notifications:
        return None
    return {"notifications": notifications}
