"""The messaging dashboard panel: the unread count and the latest unread conversations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Window

from preau.messaging import policies
from preau.messaging.models import Folder
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 3
SCANNED = 20  # unread entries read to find the 3 latest conversations


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """1 query: the newest unread entries with the count of all of them (a window function),
    kept one per conversation."""
    if actor.establishment is None or actor.home_kind == "none":
        return None

    def compute() -> tuple[dict[str, Any], None]:
        rows = list(
            policies.folder_entries(actor, Folder.INBOX)
            .filter(read_at__isnull=True)
            .select_related("message__sender", "conversation")
            .annotate(total=Window(Count("id")))[:SCANNED]
        )
        latest: list[Any] = []
        seen = set()
        for entry in rows:
            if entry.conversation_id not in seen and len(latest) < PANEL_SIZE:
                seen.add(entry.conversation_id)
                latest.append(entry)
        return {"unread": rows[0].total if rows else 0, "latest": latest}, None

    # Kept until a message arrives or the person reads, trashes or restores one.
    return cached_panel(actor, child, "messaging", compute, "messaging/panel.html")
