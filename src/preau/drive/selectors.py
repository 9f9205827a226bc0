"""Reads of the drive: folder choices for a move or a copy, and the dashboard panel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from preau.drive import policies
from preau.drive.models import Node, NodeKind, SpaceKind
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 5
MAX_CHOICES = 500


@dataclass
class FolderChoice:
    public_id: uuid.UUID
    label: str


def folder_choices(actor: Actor, node: Node, *, for_copy: bool = False) -> list[FolderChoice]:
    """Folders ``node`` may go to: for a move, in its space where the actor writes (never its
    own subtree); for a copy, anywhere in the actor's own space (1 or 2 queries)."""
    if for_copy:
        space = policies.personal_space(actor)
        if space is None:
            return []
        rows: QuerySet[Node] = Node.objects.filter(space=space)
    else:
        rows = Node.objects.filter(space_id=node.space_id, path__startswith=node.grant.top_path)
        if node.grant.permission != policies.OWNER:
            # An editor works inside the shared folder, never in its owner's folders.
            rows = rows.filter(path__startswith=node.grant.top_path)
        rows = rows.exclude(path__startswith=node.path)
    rows = rows.filter(kind=NodeKind.FOLDER, trashed_at__isnull=True).order_by("path")
    folders = list(rows.values("public_id", "name", "path", "parent_id")[:MAX_CHOICES])
    names = {f["public_id"].hex: f["name"] for f in folders if f["parent_id"] is not None}
    choices = []
    for folder in folders:
        parts = [part for part in folder["path"].split("/") if part in names]
        label = "/ " + " / ".join(names[part] for part in parts)
        choices.append(FolderChoice(folder["public_id"], label.strip()))
    return choices


def panel_data(actor: Actor) -> dict[str, Any] | None:
    """Recent files (with their space, for the usage), the latest shares, the quota: 2
    queries, 3 when the person has files."""
    recent = list(
        Node.objects.filter(
            space__establishment=actor.establishment,
            space__kind=SpaceKind.PERSONAL,
            space__owner=actor.user,
            kind=NodeKind.FILE,
            trashed_at__isnull=True,
        )
        .select_related("space")
        .order_by("-modified_at", "-id")[:PANEL_SIZE]
    )
    shared = list(policies.shared_with_me(actor).select_related("node", "created_by")[:PANEL_SIZE])
    if not recent and not shared:
        return None
    usage = None
    if recent:
        settings = policies.drive_settings(actor.establishment)
        quota = policies.quota_for_profiles(settings, actor.profiles)
        space = recent[0].space
        usage = policies.Usage(space.used_bytes, space.quota_bytes or quota)
    return {"recent": recent, "shared": shared, "usage": usage}


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """The panel: recent files, what was shared lately, the space used; kept rendered until a
    drive write forgets it. Guardians reading for a child see none."""
    if child is not None or actor.establishment is None:
        return None
    return cached_panel(
        actor, child, "drive", lambda: (panel_data(actor), None), "drive/panel.html"
    )


SECTION_SIZE = 5


def workspace_section(actor: Actor, workspace: Any) -> dict[str, Any]:
    """The shared folder on a workspace's page: its five most recently changed files (1
    query) and whether the actor may add to it. The workspace was opened by its page
    (``workspace.membership``); the folder itself is made the first time it is opened."""
    recent = list(
        Node.objects.filter(
            establishment_id=workspace.establishment_id,
            space__workspace=workspace,
            kind=NodeKind.FILE,
            trashed_at__isnull=True,
        )
        .select_related("modified_by")
        .order_by("-modified_at", "-id")[:SECTION_SIZE]
    )
    return {
        "workspace": workspace,
        "recent": recent,
        "can_write": policies.writes_in_group(workspace.membership),
    }
