"""The news dashboard panel: the three latest posts for the person, or for a guardian's child."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preau.news import policies

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 3


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """Pinned first, then newest (1 query); none when there is nothing to show.

    A guardian sees the posts of the selected child's establishment for that child, which may
    be another establishment than the one they are working in.
    """
    if child is not None:
        posts = policies.child_posts(actor, child)
        establishment = child.enrolments[0].establishment if child.enrolments else None
    else:
        posts = policies.visible_posts(actor)
        establishment = actor.establishment
    latest = list(posts.select_related("author")[:PANEL_SIZE])
    if not latest:
        return None
    elsewhere = establishment is not None and establishment != actor.establishment
    return {"posts": latest, "establishment": establishment if elsewhere else None}
