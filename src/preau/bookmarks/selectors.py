"""Reads of bookmarks: the page of one's bookmarks, and the dashboard panel.

The panel is on every home page, so what it shows is cached: an establishment's active pushed
bookmarks (with their audiences) and a person's first bookmarks. The actions forget these
entries when they change what they hold, now and again when the transaction commits (as
directory/versions.py does), so no cached read outlives its rows. Like the directory's cache, it
must be shared between processes (Redis) when there are several.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from preau.bookmarks import policies
from preau.bookmarks.models import Bookmark, BookmarkFolder, PushedBookmark, link_host
from preau.portal.panel_cache import bump_scope, cached_panel, forget_panels

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child
    from preau.directory.models import Establishment

CACHE_TIMEOUT = 3600
PANEL_SIZE = 5


@dataclass(frozen=True)
class PushedLink:
    """A pushed bookmark as the portal shows it, with what its audience is matched against."""

    public_id: Any
    title: str
    url: str
    description: str
    establishment_id: int
    audience: str
    profiles: frozenset[str]
    class_ids: frozenset[int]

    @property
    def host(self) -> str:
        return link_host(self.url)


def _pushed_key(establishment_id: int) -> str:
    return f"bookmarks:pushed:{establishment_id}"


def _first_key(user_id: int) -> str:
    return f"bookmarks:first:{user_id}"


def _forget(key: str) -> None:
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def forget_pushed(establishment: Establishment) -> None:
    _forget(_pushed_key(establishment.pk))
    bump_scope("bookmarks", [establishment.pk])


def forget_first_bookmarks(user: Any) -> None:
    _forget(_first_key(user.pk))
    forget_panels("bookmarks", [user.pk])


def establishment_links(establishment_id: int) -> list[PushedLink]:
    """The establishment's active pushed bookmarks, in order (cached; 3 queries when cold)."""
    links = cache.get(_pushed_key(establishment_id))
    if links is None:
        rows = (
            PushedBookmark.objects.filter(establishment_id=establishment_id, active=True)
            .prefetch_related("profile_rows", "class_rows")
            .order_by("position", "title")
        )
        links = [
            PushedLink(
                public_id=row.public_id,
                title=row.title,
                url=row.url,
                description=row.description,
                establishment_id=establishment_id,
                audience=row.audience,
                profiles=frozenset(p.profile for p in row.profile_rows.all()),
                class_ids=frozenset(c.school_class_id for c in row.class_rows.all()),
            )
            for row in rows
        ]
        cache.set(_pushed_key(establishment_id), links, CACHE_TIMEOUT)
    return links


def links_for(readers: list[policies.Reader]) -> list[PushedLink]:
    """The pushed bookmarks these readers are admitted to, each once."""
    seen: set[Any] = set()
    found = []
    for reader in readers:
        for link in establishment_links(reader.establishment_id):
            if link.public_id not in seen and reader.admits(
                link.audience, link.profiles, link.class_ids
            ):
                seen.add(link.public_id)
                found.append(link)
    return found


def first_bookmarks(actor: Actor) -> list[Bookmark]:
    """The person's first bookmarks, in the order of their page (cached; 1 query when cold)."""
    if not actor.is_authenticated:
        return []
    key = _first_key(actor.user.pk)
    bookmarks = cache.get(key)
    if bookmarks is None:
        bookmarks = list(
            policies.visible_bookmarks(actor).order_by(
                F("folder__position").asc(nulls_first=True), "folder__name", "position", "title"
            )[:PANEL_SIZE]
        )
        cache.set(key, bookmarks, CACHE_TIMEOUT)
    return bookmarks


def panel_data(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """What the dashboard panel shows: what the establishment pushes to the person (for a
    guardian, to the selected child's class and guardians, wherever the child is enrolled) and
    their first bookmarks. None when there is nothing to show."""
    if child is not None:
        readers = policies.readers_for_child(child)
    else:
        reader = policies.reader_of(actor)
        readers = [reader] if reader is not None else []
    pushed = links_for(readers)
    mine = first_bookmarks(actor)
    if not pushed and not mine:
        return None
    return {"pushed": pushed, "bookmarks": mine, "child": child}


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """The panel, kept rendered until a bookmark it shows changes."""
    return cached_panel(
        actor, child, "bookmarks", lambda: (panel_data(actor, child), None), "bookmarks/panel.html"
    )


@dataclass
class FolderView:
    folder: BookmarkFolder | None
    bookmarks: list[Bookmark]


def my_bookmarks(actor: Actor) -> list[FolderView]:
    """The person's bookmarks by folder: those outside any folder first, then each folder
    (2 queries: the folders, the bookmarks)."""
    folders = list(policies.visible_folders(actor))
    by_folder: dict[int | None, list[Bookmark]] = {None: []}
    by_folder.update((folder.pk, []) for folder in folders)
    for bookmark in policies.visible_bookmarks(actor).order_by("position", "title"):
        by_folder.setdefault(bookmark.folder_id, []).append(bookmark)
    return [FolderView(None, by_folder[None])] + [
        FolderView(folder, by_folder[folder.pk]) for folder in folders
    ]


def other_children_links(actor: Actor) -> list[tuple[Child, list[PushedLink]]]:
    """For a guardian: what the establishments of their children enrolled elsewhere push to
    those children's guardians and classes."""
    if not actor.is_guardian or actor.establishment is None:
        return []
    here = actor.establishment.pk
    found = []
    for child in actor.children:
        readers = [r for r in policies.readers_for_child(child) if r.establishment_id != here]
        links = links_for(readers)
        if links:
            found.append((child, links))
    return found
