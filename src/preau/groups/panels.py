"""The home panel: the person's open workspaces, most recently active first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preau.groups import policies
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 5


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """Up to five workspaces with their last activity and whether something is unread
    (1 query); none for a guardian's child view or a person in no workspace.

    Kept until the person's version changes: a post in one of their workspaces, a topic they
    read, their joining or leaving (groups/actions.py calls ``forget_panels``)."""
    if child is not None or actor.establishment is None:
        return None

    def compute() -> tuple[dict[str, Any] | None, Any]:
        workspaces = list(policies.workspaces_with_activity(actor)[:PANEL_SIZE])
        return ({"workspaces": workspaces} if workspaces else None), None

    return cached_panel(actor, child, "groups", compute, "groups/panel.html")
