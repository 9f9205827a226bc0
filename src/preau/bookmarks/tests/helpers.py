"""Rows the bookmarks tests start from, with fixed public ids so that routes can name them."""

from __future__ import annotations

import uuid
from typing import Any

from preau.bookmarks.models import (
    Audience,
    Bookmark,
    BookmarkFolder,
    PushedBookmark,
    PushedBookmarkClass,
    PushedBookmarkProfile,
)
from preau.core.actor import Actor

LEA_FOLDER = uuid.UUID("6f1c6a52-2d7e-4f1b-9a51-0a5c0e4b1f01")
LEA_BOOKMARK = uuid.UUID("6f1c6a52-2d7e-4f1b-9a51-0a5c0e4b1f02")
MOULIN_PUSHED = uuid.UUID("6f1c6a52-2d7e-4f1b-9a51-0a5c0e4b1f03")


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def lea_bookmarks(cast: Any) -> None:
    """Léa's folder « Révisions » holding one bookmark."""
    folder = BookmarkFolder.objects.create(public_id=LEA_FOLDER, owner=cast.lea, name="Révisions")
    Bookmark.objects.create(
        public_id=LEA_BOOKMARK,
        owner=cast.lea,
        folder=folder,
        title="Lumni",
        url="https://www.lumni.fr/college",
    )


def push(
    establishment: Any,
    title: str,
    *,
    profiles: tuple[str, ...] = (),
    classes: tuple[Any, ...] = (),
    public_id: uuid.UUID | None = None,
    active: bool = True,
) -> PushedBookmark:
    audience = Audience.ESTABLISHMENT
    if profiles:
        audience = Audience.PROFILES
    elif classes:
        audience = Audience.CLASSES
    bookmark = PushedBookmark.objects.create(
        public_id=public_id or uuid.uuid4(),
        establishment=establishment,
        title=title,
        url=f"https://{title.lower().replace(' ', '-')}.example/",
        audience=audience,
        active=active,
    )
    for profile in profiles:
        PushedBookmarkProfile.objects.create(
            establishment=establishment, bookmark=bookmark, profile=profile
        )
    for school_class in classes:
        PushedBookmarkClass.objects.create(
            establishment=establishment, bookmark=bookmark, school_class=school_class
        )
    return bookmark


def moulin_pushed(cast: Any) -> None:
    """A bookmark Collège Jean Moulin pushes to 4e B."""
    push(cast.moulin, "Lumni 4e", classes=(cast.class_4b,), public_id=MOULIN_PUSHED)
