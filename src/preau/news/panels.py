"""The news dashboard panel: the three latest posts for the person, or for a guardian's child."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preau.news import policies
from preau.news.selectors import next_change
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 3


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """Pinned first, then newest (1 query); none when there is nothing to show.

    A guardian sees the posts of the selected child's establishment for that child, which may
    be another establishment than the one they are working in.
    """
    if child is not None:
        establishment = child.enrolments[0].establishment if child.enrolments else None
    else:
        establishment = actor.establishment
    if establishment is None:
        return None

    def compute() -> tuple[dict[str, Any] | None, Any]:
        posts = policies.child_posts(actor, child) if child else policies.visible_posts(actor)
        latest = list(posts.select_related("author")[:PANEL_SIZE])
        elsewhere = establishment != actor.establishment
        context = (
            {"posts": latest, "establishment": establishment if elsewhere else None}
            if latest
            else None
        )
        return context, next_change(establishment)

    # Kept until a post of the establishment changes or a scheduled one starts or ends.
    return cached_panel(actor, child, "news", compute, "news/panel.html")
