"""Writes of bookmarks. Views parse input and call these; the rules are here and in policies.

A person's own bookmarks are not audited: they are private notes of the person, not school
records, and the audit trail belongs to an establishment whose administrators read it — writing
a pupil's links there would show their interests to the school. An establishment's pushed
bookmarks are what the school publishes to its members: each change is audited.

Every link is validated here as well as in the forms, so that no caller stores a ``javascript:``
link; a refused link raises ValidationError before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.bookmarks import policies, selectors
from preau.bookmarks.models import (
    Audience,
    Bookmark,
    BookmarkFolder,
    PushedBookmark,
    PushedBookmarkClass,
    PushedBookmarkProfile,
    validate_link_url,
)
from preau.directory.models import Establishment, Profile, SchoolClass

# A person's bookmarks are shown on one page: these bound it.
MAX_BOOKMARKS = 500
MAX_FOLDERS = 50


def _own(actor: Any, obj: Bookmark | BookmarkFolder | None) -> None:
    if obj is not None and obj.owner_id != actor.user.pk:
        raise PermissionDenied


def _next_position(rows: Any) -> int:
    highest = rows.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _clean_text(title: str, url: str) -> tuple[str, str]:
    url = url.strip()
    validate_link_url(url)
    return title.strip(), url


def _renumber(rows: Sequence[Bookmark | BookmarkFolder], public_ids: Iterable[Any]) -> list:
    """``rows`` in the order of ``public_ids`` (others after, as they were), positions 0, 1, …;
    returns the rows whose position changed."""
    by_id = {str(row.public_id): row for row in rows}
    ordered = [by_id.pop(str(public_id)) for public_id in public_ids if str(public_id) in by_id]
    ordered += [row for row in rows if str(row.public_id) in by_id]
    changed = []
    for position, row in enumerate(ordered):
        if row.position != position:
            row.position = position
            changed.append(row)
    return changed


def _shifted(rows: list, target: Any, offset: int) -> list[Any]:
    """The public ids of ``rows`` with ``target`` moved ``offset`` places (clamped)."""
    ids = [row.public_id for row in rows]
    index = ids.index(target.public_id)
    new_index = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(new_index, ids.pop(index))
    return ids


# -- folders -----------------------------------------------------------------------------------


def do_create_folder(*, actor: Any, name: str) -> BookmarkFolder:
    with transaction.atomic():
        folders = policies.visible_folders(actor)
        if folders.count() >= MAX_FOLDERS:
            raise ValidationError(
                _("Vous avez atteint le nombre maximal de dossiers (%(max)s).")
                % {"max": MAX_FOLDERS},
                code="too_many_folders",
            )
        folder = BookmarkFolder.objects.create(
            owner=actor.user, name=name.strip(), position=_next_position(folders)
        )
        selectors.forget_first_bookmarks(actor.user)
    return folder


def do_update_folder(*, actor: Any, folder: BookmarkFolder, name: str) -> BookmarkFolder:
    _own(actor, folder)
    with transaction.atomic():
        folder.name = name.strip()
        folder.save(update_fields=["name"])
        selectors.forget_first_bookmarks(actor.user)
    return folder


def do_delete_folder(*, actor: Any, folder: BookmarkFolder) -> None:
    """Delete a folder; its bookmarks are kept, outside any folder, after those already there."""
    _own(actor, folder)
    with transaction.atomic():
        unfiled = policies.visible_bookmarks(actor).filter(folder__isnull=True)
        start = _next_position(unfiled)
        moved = list(folder.bookmarks.order_by("position", "title"))
        for offset, bookmark in enumerate(moved):
            bookmark.folder, bookmark.position = None, start + offset
        Bookmark.objects.bulk_update(moved, ["folder", "position"])
        folder.delete()
        selectors.forget_first_bookmarks(actor.user)


def do_reorder_folders(*, actor: Any, public_ids: Iterable[Any]) -> None:
    with transaction.atomic():
        folders = list(policies.visible_folders(actor).select_for_update())
        BookmarkFolder.objects.bulk_update(_renumber(folders, public_ids), ["position"])
        selectors.forget_first_bookmarks(actor.user)


def do_shift_folder(*, actor: Any, folder: BookmarkFolder, offset: int) -> None:
    """Move a folder ``offset`` places up (negative) or down (positive)."""
    _own(actor, folder)
    folders = list(policies.visible_folders(actor))
    do_reorder_folders(actor=actor, public_ids=_shifted(folders, folder, offset))


# -- bookmarks ---------------------------------------------------------------------------------


def do_create_bookmark(
    *,
    actor: Any,
    title: str,
    url: str,
    description: str = "",
    folder: BookmarkFolder | None = None,
) -> Bookmark:
    _own(actor, folder)
    title, url = _clean_text(title, url)
    with transaction.atomic():
        mine = policies.visible_bookmarks(actor)
        if mine.count() >= MAX_BOOKMARKS:
            raise ValidationError(
                _("Vous avez atteint le nombre maximal de signets (%(max)s).")
                % {"max": MAX_BOOKMARKS},
                code="too_many_bookmarks",
            )
        bookmark = Bookmark.objects.create(
            owner=actor.user,
            folder=folder,
            title=title,
            url=url,
            description=description.strip(),
            position=_next_position(mine.filter(folder=folder)),
        )
        selectors.forget_first_bookmarks(actor.user)
    return bookmark


def do_update_bookmark(
    *,
    actor: Any,
    bookmark: Bookmark,
    title: str,
    url: str,
    description: str = "",
    folder: BookmarkFolder | None = None,
) -> Bookmark:
    """Change a bookmark; a new folder puts it last there."""
    _own(actor, bookmark)
    _own(actor, folder)
    title, url = _clean_text(title, url)
    with transaction.atomic():
        fields = ["title", "url", "description"]
        bookmark.title, bookmark.url, bookmark.description = title, url, description.strip()
        if bookmark.folder_id != (folder.pk if folder else None):
            bookmark.folder = folder
            bookmark.position = _next_position(
                policies.visible_bookmarks(actor).filter(folder=folder)
            )
            fields += ["folder", "position"]
        bookmark.save(update_fields=fields)
        selectors.forget_first_bookmarks(actor.user)
    return bookmark


def do_move_bookmark(*, actor: Any, bookmark: Bookmark, folder: BookmarkFolder | None) -> Bookmark:
    """Put a bookmark last in ``folder`` (None: outside any folder)."""
    _own(actor, bookmark)
    _own(actor, folder)
    if bookmark.folder_id == (folder.pk if folder else None):
        return bookmark
    with transaction.atomic():
        bookmark.folder = folder
        bookmark.position = _next_position(policies.visible_bookmarks(actor).filter(folder=folder))
        bookmark.save(update_fields=["folder", "position"])
        selectors.forget_first_bookmarks(actor.user)
    return bookmark


def do_delete_bookmark(*, actor: Any, bookmark: Bookmark) -> None:
    _own(actor, bookmark)
    with transaction.atomic():
        bookmark.delete()
        selectors.forget_first_bookmarks(actor.user)


def do_reorder_bookmarks(
    *, actor: Any, folder: BookmarkFolder | None, public_ids: Iterable[Any]
) -> None:
    """Order the bookmarks of ``folder`` (None: outside any folder) as ``public_ids`` lists
    them; bookmarks it leaves out follow, in their current order."""
    _own(actor, folder)
    with transaction.atomic():
        rows = list(
            policies.visible_bookmarks(actor)
            .filter(folder=folder)
            .order_by("position", "title")
            .select_for_update()
        )
        Bookmark.objects.bulk_update(_renumber(rows, public_ids), ["position"])
        selectors.forget_first_bookmarks(actor.user)


def do_shift_bookmark(*, actor: Any, bookmark: Bookmark, offset: int) -> None:
    """Move a bookmark ``offset`` places up (negative) or down (positive) in its folder."""
    _own(actor, bookmark)
    rows = list(
        policies.visible_bookmarks(actor)
        .filter(folder_id=bookmark.folder_id)
        .order_by("position", "title")
    )
    do_reorder_bookmarks(
        actor=actor, folder=bookmark.folder, public_ids=_shifted(rows, bookmark, offset)
    )


# -- an establishment's pushed bookmarks -------------------------------------------------------

PUSHED_FIELDS = ["title", "url", "description", "audience", "position", "active"]


def _check_manager(actor: Any, establishment: Establishment) -> None:
    if not policies.can_manage_pushed_bookmarks(actor, establishment):
        raise PermissionDenied


def _clean_audience(
    establishment: Establishment,
    audience: str,
    profiles: Iterable[str],
    classes: Iterable[SchoolClass],
) -> tuple[list[str], list[SchoolClass]]:
    """The profiles and classes the audience keeps (none for the whole establishment)."""
    if audience not in Audience.values:
        raise ValidationError(_("Choisissez à qui montrer ce signet."), code="audience")
    profiles = sorted(set(profiles)) if audience == Audience.PROFILES else []
    classes = list(classes) if audience == Audience.CLASSES else []
    if any(profile not in Profile.values for profile in profiles):
        raise ValidationError(_("Profil inconnu."), code="profile")
    if any(c.establishment_id != establishment.pk for c in classes):
        raise PermissionDenied
    if audience == Audience.PROFILES and not profiles:
        raise ValidationError(_("Choisissez au moins un profil."), code="no_profile")
    if audience == Audience.CLASSES and not classes:
        raise ValidationError(_("Choisissez au moins une classe."), code="no_class")
    return profiles, sorted(classes, key=lambda c: c.name)


def _audience_snapshot(profiles: list[str], classes: list[SchoolClass]) -> dict[str, Any]:
    return {"profiles": list(profiles), "classes": [c.name for c in classes]}


def _current_audience(bookmark: PushedBookmark) -> dict[str, Any]:
    return {
        "profiles": sorted(
            PushedBookmarkProfile.objects.filter(bookmark=bookmark).values_list(
                "profile", flat=True
            )
        ),
        "classes": sorted(
            PushedBookmarkClass.objects.filter(bookmark=bookmark).values_list(
                "school_class__name", flat=True
            )
        ),
    }


def _write_audience(
    bookmark: PushedBookmark, profiles: list[str], classes: list[SchoolClass]
) -> None:
    PushedBookmarkProfile.objects.filter(bookmark=bookmark).delete()
    PushedBookmarkClass.objects.filter(bookmark=bookmark).delete()
    establishment = bookmark.establishment
    PushedBookmarkProfile.objects.bulk_create(
        PushedBookmarkProfile(establishment=establishment, bookmark=bookmark, profile=profile)
        for profile in profiles
    )
    PushedBookmarkClass.objects.bulk_create(
        PushedBookmarkClass(establishment=establishment, bookmark=bookmark, school_class=c)
        for c in classes
    )


def do_create_pushed_bookmark(
    *,
    actor: Any,
    establishment: Establishment,
    title: str,
    url: str,
    description: str = "",
    audience: str = Audience.ESTABLISHMENT,
    profiles: Iterable[str] = (),
    classes: Iterable[SchoolClass] = (),
    position: int = 0,
) -> PushedBookmark:
    _check_manager(actor, establishment)
    title, url = _clean_text(title, url)
    profiles, classes = _clean_audience(establishment, audience, profiles, classes)
    with transaction.atomic():
        bookmark = PushedBookmark.objects.create(
            establishment=establishment,
            title=title,
            url=url,
            description=description.strip(),
            audience=audience,
            position=position,
            created_by=actor.user,
        )
        _write_audience(bookmark, profiles, classes)
        record(
            actor=actor,
            establishment=establishment,
            action="bookmarks.pushed.create",
            target=bookmark,
            after=snapshot(bookmark, PUSHED_FIELDS) | _audience_snapshot(profiles, classes),
        )
        selectors.forget_pushed(establishment)
    return bookmark


def do_update_pushed_bookmark(
    *,
    actor: Any,
    bookmark: PushedBookmark,
    title: str,
    url: str,
    description: str = "",
    audience: str = Audience.ESTABLISHMENT,
    profiles: Iterable[str] = (),
    classes: Iterable[SchoolClass] = (),
    position: int = 0,
) -> PushedBookmark:
    establishment = bookmark.establishment
    _check_manager(actor, establishment)
    title, url = _clean_text(title, url)
    profiles, classes = _clean_audience(establishment, audience, profiles, classes)
    with transaction.atomic():
        before = snapshot(bookmark, PUSHED_FIELDS) | _current_audience(bookmark)
        bookmark.title, bookmark.url, bookmark.description = title, url, description.strip()
        bookmark.audience, bookmark.position = audience, position
        bookmark.save(update_fields=["title", "url", "description", "audience", "position"])
        _write_audience(bookmark, profiles, classes)
        record(
            actor=actor,
            establishment=establishment,
            action="bookmarks.pushed.update",
            target=bookmark,
            before=before,
            after=snapshot(bookmark, PUSHED_FIELDS) | _audience_snapshot(profiles, classes),
        )
        selectors.forget_pushed(establishment)
    return bookmark


def do_set_pushed_bookmark_active(
    *, actor: Any, bookmark: PushedBookmark, active: bool
) -> PushedBookmark:
    """Show (active) or hide a pushed bookmark without deleting it."""
    establishment = bookmark.establishment
    _check_manager(actor, establishment)
    if bookmark.active == active:
        return bookmark
    with transaction.atomic():
        bookmark.active = active
        bookmark.save(update_fields=["active"])
        record(
            actor=actor,
            establishment=establishment,
            action="bookmarks.pushed.reactivate" if active else "bookmarks.pushed.deactivate",
            target=bookmark,
            before={"active": not active},
            after={"active": active},
        )
        selectors.forget_pushed(establishment)
    return bookmark


def do_delete_pushed_bookmark(*, actor: Any, bookmark: PushedBookmark) -> None:
    establishment = bookmark.establishment
    _check_manager(actor, establishment)
    with transaction.atomic():
        record(
            actor=actor,
            establishment=establishment,
            action="bookmarks.pushed.delete",
            target=bookmark,
            before=snapshot(bookmark, PUSHED_FIELDS) | _current_audience(bookmark),
        )
        bookmark.delete()
        selectors.forget_pushed(establishment)
