"""The agenda's home panel: the next events of the person's calendars (or of the guardian's
selected child)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from preau.calendar import layers, policies
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 4
HORIZON = timedelta(days=14)


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """The next events within two weeks (1 query); none when there are none."""
    if actor.establishment is None:
        return None

    def compute() -> tuple[dict[str, Any] | None, Any]:
        now = timezone.now()
        calendars = policies.agenda_calendars(actor, child)
        found = layers.occurrences(
            layers.AgendaQuery(actor, child, now, now + HORIZON, calendars), panel=True
        )
        upcoming = found[:PANEL_SIZE]
        if not upcoming:
            return None, now + timedelta(hours=1)
        # Kept until the first one ends (it then leaves the list).
        return {"occurrences": upcoming}, min(o.end for o in upcoming)

    return cached_panel(actor, child, "calendar", compute, "calendar/panel.html")
