"""Sections other services add to a workspace's page (its shared files, its calendar…).

A service registers a section in its AppConfig.ready(); the workspace page renders, after the
workspace's news and before its forum, each section whose ``context(actor, workspace)`` returns
a context (None: nothing to show). The workspace given has been opened by access_workspace
(the actor is a member; ``workspace.membership.role`` is their role), and the context must be
computed in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.groups.models import Workspace


@dataclass(frozen=True)
class Section:
    code: str
    template: str
    context: Callable[[Actor, Workspace], dict[str, Any] | None]
    position: int = 100


_sections: dict[str, Section] = {}


def register(section: Section) -> Section:
    if section.code in _sections and _sections[section.code] != section:
        raise ValueError(f"Section {section.code!r} is already registered.")
    _sections[section.code] = section
    return section


def for_workspace(actor: Actor, workspace: Workspace) -> list[dict[str, Any]]:
    """The sections to show on the workspace's page, in order, each with its context."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.position, s.code)):
        context = section.context(actor, workspace)
        if context is not None:
            shown.append({"template": section.template, "section": context})
    return shown
