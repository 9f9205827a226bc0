"""Writes of the drive. Views, WebDAV and the demo call these; the rules are here and in the
policies.

Every action takes the acting person as ``actor`` (keyword-only) and a node the caller reached
through the policies (``access_node``, ``resolve_path``); it checks the actor's right again and
raises PermissionDenied when it is missing. Refusals a person can fix (quota, size, type, a name
taken) raise the DriveError subclasses of errors.py, before anything is stored.

Contents are streamed: an upload or a new content is spooled to disk with a limit (the largest
file allowed, or what is left of the quota, whichever is smaller) and stops being read as soon
as it passes it; its type is checked on disk; it is stored; then one transaction locks the
space, checks the quota again (two uploads at once), writes the rows and the space's usage. A
write that fails after its content was stored removes that content.

Personal files are not written to the audit trail (the head reads it, and file names are
private); the establishment's settings are.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from preau.audit.actions import record, snapshot
from preau.directory.models import Establishment
from preau.drive import filetypes, policies, storage
from preau.drive.errors import (
    FileTooLarge,
    FileTypeRefused,
    InvalidMove,
    InvalidName,
    NameConflict,
    QuotaExceeded,
)
from preau.drive.models import (
    MAX_DEPTH,
    MIB,
    TRASH_DAYS,
    DriveSettings,
    Node,
    NodeKind,
    Permission,
    Share,
    Space,
    SpaceKind,
    path_part,
)
from preau.groups.models import Workspace
from preau.notifications.actions import notify
from preau.notifications.models import Kind
from preau.portal.panel_cache import bump_scope, forget_panels

MAX_NAME = 200
_RESERVED = {".", ".."}
_SUFFIXED = re.compile(r"^(?P<stem>.*?) \((?P<n>\d+)\)$")


# -- names ---------------------------------------------------------------------------------------
def clean_name(name: str) -> str:
    """A folder's or file's name as typed, checked: no slash, no control character, not « . »
    or « .. », at most 200 characters; InvalidName otherwise."""
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name or name in _RESERVED:
        raise InvalidName(gettext_lazy("Donnez un nom."))
    if "/" in name or "\\" in name:
        raise InvalidName(gettext_lazy("Un nom ne peut contenir ni « / » ni « \\ »."))
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise InvalidName(gettext_lazy("Un nom ne peut pas contenir de caractère de contrôle."))
    if len(name) > MAX_NAME:
        raise InvalidName(
            gettext_lazy("Un nom ne peut pas dépasser %(max)s caractères."), {"max": MAX_NAME}
        )
    return name


def _taken(folder: Node, names: Iterable[str], *, exclude: Node | None = None) -> set[str]:
    rows = Node.objects.filter(
        parent=folder, trashed_at__isnull=True, name_key__in=[n.casefold() for n in names]
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return set(rows.values_list("name_key", flat=True))


def _check_free(folder: Node, name: str, *, exclude: Node | None = None) -> None:
    if _taken(folder, [name], exclude=exclude):
        raise NameConflict(
            gettext_lazy("« %(name)s » existe déjà dans ce dossier."), {"name": name}
        )


def free_name(folder: Node, name: str, *, exclude: Node | None = None) -> str:
    """``name``, or « name (2).ext », « name (3).ext »… : the first one free in ``folder``."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, dot, extension = name, "", ""
    match = _SUFFIXED.match(stem)
    base = match.group("stem") if match else stem
    candidates = [name] + [f"{base} ({n}){dot}{extension}" for n in range(2, 52)]
    taken = _taken(folder, candidates, exclude=exclude)
    for candidate in candidates:
        if candidate.casefold() not in taken:
            return candidate
    return f"{base} ({uuid.uuid4().hex[:8]}){dot}{extension}"


def _place_name(folder: Node, name: str, on_conflict: str, exclude: Node | None = None) -> str:
    if on_conflict == "rename":
        return free_name(folder, name, exclude=exclude)
    _check_free(folder, name, exclude=exclude)
    return name


# -- rights and bookkeeping ----------------------------------------------------------------------
def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_folder(node: Node) -> None:
    if node.kind != NodeKind.FOLDER:
        raise InvalidMove(gettext_lazy("La destination doit être un dossier."))


def _depth(node: Node) -> int:
    return len(node.ancestor_ids)


def _touch(folder: Node, actor: Any, now: datetime) -> None:
    Node.objects.filter(pk=folder.pk).update(modified_at=now, modified_by=actor.user)


def _changed(space: Space, *, shared: bool = False) -> None:
    """Forget the drive panels that may show this space: its owner's, and when it holds shared
    nodes, those of the establishment."""
    if space.owner_id is not None:
        forget_panels("drive", [space.owner_id])
    if shared or Share.objects.filter(node__space=space).exists():
        bump_scope("drive", [space.establishment_id])


def _limits(space: Space, *, freed: int = 0) -> tuple[int, int, int]:
    """(largest file, what the quota leaves, quota) in bytes; ``freed``: bytes the write
    gives back (the content it replaces)."""
    settings = policies.drive_settings(space.establishment_id)
    quota = policies.space_quota(space, settings=settings)
    used = Space.objects.filter(pk=space.pk).values_list("used_bytes", flat=True).get()
    return settings.max_file_mb * MIB, max(0, quota - used + freed), quota


def _too_large(max_bytes: int) -> FileTooLarge:
    return FileTooLarge(
        gettext_lazy("Ce fichier dépasse la taille maximale de %(size)s Mo."),
        {"size": max_bytes // MIB},
    )


def _over_quota(space: Space | None = None) -> QuotaExceeded:
    if space is not None and space.kind == SpaceKind.GROUP:
        return QuotaExceeded(
            gettext_lazy(
                "L'espace de groupe est plein : ce fichier dépasse ce qu'il reste de son quota. "
                "Supprimez des fichiers ou demandez à un animateur de vider sa corbeille."
            )
        )
    return QuotaExceeded(
        gettext_lazy(
            "Votre espace est plein : ce fichier dépasse ce qu'il reste de votre quota. "
            "Videz la corbeille ou supprimez des fichiers."
        )
    )


def _refused_type(name: str) -> FileTypeRefused:
    return FileTypeRefused(
        gettext_lazy(
            "« %(name)s » n'est pas accepté : l'espace de stockage prend les documents, "
            "images, PDF, fichiers bureautiques, textes, sons et vidéos."
        ),
        {"name": name},
    )


def _spool_checked(
    space: Space, name: str, content: Any, *, freed: int = 0
) -> tuple[storage.Spooled, filetypes.DriveType]:
    """The content on disk, within the limits, of the type its name says; else a refusal."""
    if not filetypes.accepted_extension(name):
        raise _refused_type(name)
    max_bytes, remaining, _quota = _limits(space, freed=freed)
    declared = getattr(content, "size", None)
    if declared is not None and declared > max_bytes:
        raise _too_large(max_bytes)
    if declared is not None and declared > remaining:
        raise _over_quota(space)
    try:
        spooled = storage.spool(content, min(max_bytes, remaining))
    except storage.LimitExceeded:
        raise (_too_large(max_bytes) if max_bytes <= remaining else _over_quota(space)) from None
    kind = filetypes.detect(name, spooled.file)
    if kind is None:
        spooled.close()
        raise _refused_type(name)
    return spooled, kind


def _lock_space(space: Space) -> Space:
    return Space.objects.select_for_update().get(pk=space.pk)


def _charge(space: Space, size: int) -> None:
    """Count ``size`` more bytes (or fewer, negative) in the locked space; QuotaExceeded when
    a positive charge no longer fits."""
    if size > 0 and space.used_bytes + size > policies.space_quota(space):
        raise _over_quota(space)
    Space.objects.filter(pk=space.pk).update(used_bytes=F("used_bytes") + size)
    space.used_bytes += size


# -- spaces --------------------------------------------------------------------------------------
def do_ensure_personal_space(*, actor: Any) -> Space:
    """The actor's personal space in their current establishment, created with its root
    folder on first use."""
    establishment = actor.establishment
    if not actor.is_authenticated or establishment is None:
        raise PermissionDenied
    space = policies.personal_space(actor)
    if space is not None:
        return space
    with transaction.atomic():
        space, created = Space.objects.get_or_create(
            establishment=establishment, kind=SpaceKind.PERSONAL, owner=actor.user
        )
        if created:
            _create_root(space)
    return space


def create_group_space(
    *,
    establishment: Establishment,
    name: str,
    quota_bytes: int | None = None,
    workspace: Workspace | None = None,
) -> Space:
    """A space without an owner: the shared folder of a group workspace, whose members reach
    it by their role (policies.space_permission)."""
    with transaction.atomic():
        space = Space.objects.create(
            establishment=establishment,
            kind=SpaceKind.GROUP,
            name=name,
            quota_bytes=quota_bytes,
            workspace=workspace,
        )
        _create_root(space)
    return space


def do_ensure_group_space(*, workspace: Workspace) -> Space:
    """The shared folder of a workspace (its caller opened it through the workspaces'
    policies), made with its root folder the first time it is opened: the drive depends on the
    workspaces, so a workspace is created without knowing of the drive."""
    space = Space.objects.filter(workspace=workspace).select_related("workspace").first()
    if space is not None:
        return space
    with transaction.atomic():
        # The workspace row, locked, orders two first visits at once.
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        space = Space.objects.filter(workspace=workspace).first()
        if space is None:
            space = create_group_space(
                establishment=workspace.establishment, name=workspace.name, workspace=workspace
            )
    space.workspace = workspace
    return space


def _create_root(space: Space) -> Node:
    public_id = uuid.uuid4()
    return Node.objects.create(
        public_id=public_id,
        establishment_id=space.establishment_id,
        space=space,
        parent=None,
        kind=NodeKind.FOLDER,
        name="/",
        name_key="/",
        path=f"/{path_part(public_id)}/",
        created_by=space.owner,
        modified_by=space.owner,
    )


def root_of(space: Space) -> Node:
    return Node.objects.select_related("space").get(space=space, parent__isnull=True)


# -- folders and files ---------------------------------------------------------------------------
def _new_node(
    folder: Node, actor: Any, *, kind: str, name: str, now: datetime, **fields: Any
) -> Node:
    public_id = uuid.uuid4()
    return Node(
        public_id=public_id,
        establishment_id=folder.establishment_id,
        space_id=folder.space_id,
        parent=folder,
        kind=kind,
        name=name,
        name_key=name.casefold(),
        path=f"{folder.path}{path_part(public_id)}/",
        created_at=now,
        created_by=actor.user,
        modified_at=now,
        modified_by=actor.user,
        **fields,
    )


def do_create_folder(*, actor: Any, parent: Node, name: str, on_conflict: str = "refuse") -> Node:
    """A new folder in ``parent``. ``on_conflict``: "refuse" (NameConflict) or "rename"."""
    _require(policies.can_write_into(actor, parent))
    _require_folder(parent)
    name = clean_name(name)
    if _depth(parent) >= MAX_DEPTH:
        raise InvalidMove(gettext_lazy("Ce dossier est trop profond pour en créer un autre."))
    now = timezone.now()
    with transaction.atomic():
        _lock_space(parent.space)
        name = _place_name(parent, name, on_conflict)
        folder = _new_node(parent, actor, kind=NodeKind.FOLDER, name=name, now=now)
        folder.save()
        _touch(parent, actor, now)
        _changed(parent.space)
    folder.space = parent.space
    return folder


def do_upload_file(
    *, actor: Any, folder: Node, name: str, content: Any, on_conflict: str = "refuse"
) -> Node:
    """A new file in ``folder`` from ``content`` (a file-like object read by chunks, or a
    Django upload). Refused before anything is stored when its type, its size or the space's
    quota says no; ``on_conflict``: "refuse" (NameConflict) or "rename" (« name (2).ext »)."""
    _require(policies.can_write_into(actor, folder))
    _require_folder(folder)
    name = clean_name(name)
    if on_conflict == "refuse":
        _check_free(folder, name)
    space = folder.space
    spooled, kind = _spool_checked(space, name, content)
    try:
        size = spooled.size
        blob = storage.save_blob(folder.establishment.public_id, spooled.file)
    finally:
        spooled.close()
    try:
        now = timezone.now()
        with transaction.atomic():
            locked = _lock_space(space)
            name = _place_name(folder, name, on_conflict)
            _charge(locked, size)
            node = _new_node(
                folder,
                actor,
                kind=NodeKind.FILE,
                name=name,
                now=now,
                size=size,
                content_type=kind.content_type,
                blob=blob,
            )
            node.save()
            _touch(folder, actor, now)
            _changed(space)
    except BaseException:
        storage.discard_blob(blob)
        raise
    node.space = space
    return node


def do_replace_file(*, actor: Any, file: Node, content: Any) -> Node:
    """Give ``file`` a new content (same name, same type), counted against the quota for the
    difference of size; the old content is deleted once the change is committed."""
    _require(file.kind == NodeKind.FILE and policies.can_write_into(actor, file))
    space = file.space
    spooled, kind = _spool_checked(space, file.name, content, freed=file.size)
    try:
        size = spooled.size
        blob = storage.save_blob(file.establishment.public_id, spooled.file)
    finally:
        spooled.close()
    try:
        now = timezone.now()
        with transaction.atomic():
            locked = _lock_space(space)
            current = Node.objects.select_for_update().get(pk=file.pk)
            if current.trashed_at is not None:
                raise PermissionDenied
            _charge(locked, size - current.size)
            old_blob = current.blob
            Node.objects.filter(pk=file.pk).update(
                size=size,
                blob=blob,
                content_type=kind.content_type,
                modified_at=now,
                modified_by=actor.user,
            )
            storage.delete_blobs([old_blob])
            _changed(space)
    except BaseException:
        storage.discard_blob(blob)
        raise
    file.size, file.blob, file.content_type = size, blob, kind.content_type
    file.modified_at, file.modified_by = now, actor.user
    return file


def do_rename(*, actor: Any, node: Node, name: str) -> Node:
    """Rename a folder or a file (a file keeps its extension: its content was checked for it)."""
    _require(policies.can_change(actor, node))
    name = clean_name(name)
    if node.kind == NodeKind.FILE and filetypes.extension_of(name) != node.extension:
        raise InvalidName(
            gettext_lazy("Gardez l'extension « .%(extension)s » du fichier."),
            {"extension": node.extension},
        )
    if name == node.name:
        return node
    now = timezone.now()
    with transaction.atomic():
        _lock_space(node.space)
        _check_free(node.parent, name, exclude=node)
        node.name, node.name_key = name, name.casefold()
        node.modified_at, node.modified_by = now, actor.user
        node.save(update_fields=["name", "name_key", "modified_at", "modified_by"])
        _changed(node.space)
    return node


def _subtree(node: Node) -> Any:
    return Node.objects.filter(space_id=node.space_id, path__startswith=node.path)


def _height(node: Node) -> int:
    """Levels of the subtree below ``node`` and itself (1 for a file)."""
    if node.kind == NodeKind.FILE:
        return 1
    deepest = max(
        (len(path) for path in _subtree(node).values_list("path", flat=True)),
        default=len(node.path),
    )
    return 1 + (deepest - len(node.path)) // 33


def do_move(*, actor: Any, node: Node, target: Node, name: str | None = None) -> Node:
    """Move ``node`` into the folder ``target`` of the same space (never into itself or its
    own subtree), under ``name`` when given."""
    _require(policies.can_change(actor, node) and policies.can_write_into(actor, target))
    _require_folder(target)
    if target.space_id != node.space_id:
        raise InvalidMove(gettext_lazy("On ne déplace qu'à l'intérieur d'un même espace."))
    if target.path.startswith(node.path):
        raise InvalidMove(gettext_lazy("Un dossier ne peut pas aller dans lui-même."))
    new_name = clean_name(name) if name is not None else node.name
    if node.kind == NodeKind.FILE and filetypes.extension_of(new_name) != node.extension:
        raise InvalidName(
            gettext_lazy("Gardez l'extension « .%(extension)s » du fichier."),
            {"extension": node.extension},
        )
    if target.pk == node.parent_id and new_name == node.name:
        return node
    if _depth(target) + _height(node) > MAX_DEPTH:
        raise InvalidMove(gettext_lazy("Le dossier d'arrivée est trop profond."))
    now = timezone.now()
    with transaction.atomic():
        _lock_space(node.space)
        _check_free(target, new_name, exclude=node)
        old_path = node.path
        new_path = f"{target.path}{path_part(node.public_id)}/"
        _subtree(node).update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)))
        node.parent, node.path = target, new_path
        node.name, node.name_key = new_name, new_name.casefold()
        node.modified_at, node.modified_by = now, actor.user
        node.save(update_fields=["parent", "name", "name_key", "modified_at", "modified_by"])
        _touch(target, actor, now)
        _changed(node.space)
    return node


def do_copy(
    *, actor: Any, node: Node, target: Node, name: str | None = None, on_conflict: str = "refuse"
) -> Node:
    """Copy a file, or a folder with all it holds (not what is in the trash), into ``target``
    (any folder the actor may write into, in any space); the copy counts against the target
    space's quota."""
    _require(policies.can_read(actor, node) and policies.can_write_into(actor, target))
    _require_folder(target)
    if node.is_root:
        raise PermissionDenied
    if target.space_id == node.space_id and target.path.startswith(node.path):
        raise InvalidMove(gettext_lazy("Un dossier ne peut pas être copié dans lui-même."))
    new_name = clean_name(name) if name is not None else node.name
    rows = list(
        _subtree(node).filter(trashed_at__isnull=True).order_by("path")
        if node.kind == NodeKind.FOLDER
        else [node]
    )
    if _depth(target) + _height(node) > MAX_DEPTH:
        raise InvalidMove(gettext_lazy("Le dossier d'arrivée est trop profond."))
    total = sum(row.size for row in rows if row.kind == NodeKind.FILE)
    _max_bytes, remaining, _quota = _limits(target.space)
    if total > remaining:
        raise _over_quota(target.space)
    if on_conflict == "refuse":
        _check_free(target, new_name)
    establishment_id = target.establishment.public_id
    blobs: list[str] = []
    try:
        for row in rows:
            if row.kind == NodeKind.FILE:
                row.new_blob = storage.copy_blob(establishment_id, row.blob)
                blobs.append(row.new_blob)
        now = timezone.now()
        with transaction.atomic():
            space = _lock_space(target.space)
            new_name = _place_name(target, new_name, on_conflict)
            _charge(space, total)
            copies = _copies(rows, node, target, actor, new_name, now)
            # Level by level: each level's parents have their keys before it is written.
            for depth in sorted({len(copy.path) for copy in copies}):
                Node.objects.bulk_create([c for c in copies if len(c.path) == depth])
            _touch(target, actor, now)
            _changed(target.space)
    except BaseException:
        for blob in blobs:
            storage.discard_blob(blob)
        raise
    top = Node.objects.select_related("space").get(public_id=copies[0].public_id)
    return top


def _copies(
    rows: list[Node], node: Node, target: Node, actor: Any, new_name: str, now: datetime
) -> list[Node]:
    by_path: dict[str, Node] = {}
    copies = []
    for row in rows:
        parent = target if row.pk == node.pk else by_path[row.path.rsplit("/", 2)[0] + "/"]
        name = new_name if row.pk == node.pk else row.name
        copy = _new_node(
            parent,
            actor,
            kind=row.kind,
            name=name,
            now=now,
            size=row.size,
            content_type=row.content_type,
            blob=getattr(row, "new_blob", ""),
        )
        copy.space_id = target.space_id
        copy.establishment_id = target.establishment_id
        by_path[row.path] = copy
        copies.append(copy)
    return copies


def do_trash(*, actor: Any, node: Node) -> Node:
    """Put a node, with what it holds, in its space's trash (for ``TRASH_DAYS`` days; its
    files still count in the quota until then)."""
    _require(policies.can_change(actor, node))
    now = timezone.now()
    batch = uuid.uuid4()
    with transaction.atomic():
        _lock_space(node.space)
        _subtree(node).filter(trashed_at__isnull=True).update(
            trashed_at=now, trashed_by=actor.user, trash_batch=batch
        )
        Node.objects.filter(pk=node.pk).update(trash_root=True)
        _touch(node.parent, actor, now)
        _changed(node.space)
    node.trashed_at, node.trash_batch, node.trash_root = now, batch, True
    return node


def do_restore(*, actor: Any, node: Node) -> Node:
    """Bring a node back from the trash with what went with it: to its folder, or to the root
    of the space when that folder is in the trash too; renamed « name (2) » if its name was
    taken meanwhile."""
    _require(node.trash_root and policies.can_restore(actor, node))
    with transaction.atomic():
        _lock_space(node.space)
        parent = node.parent
        if parent.trashed_at is not None:
            parent = root_of(node.space)
        name = free_name(parent, node.name)
        old_path, new_path = node.path, f"{parent.path}{path_part(node.public_id)}/"
        if old_path != new_path:
            _subtree(node).update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)))
        # Named first: the free name keeps the sibling names unique once it is back.
        node.parent, node.path, node.name, node.name_key = parent, new_path, name, name.casefold()
        node.save(update_fields=["parent", "name", "name_key"])
        Node.objects.filter(space_id=node.space_id, trash_batch=node.trash_batch).update(
            trashed_at=None, trashed_by=None, trash_batch=None, trash_root=False
        )
        _changed(node.space)
    node.trashed_at, node.trash_batch, node.trash_root = None, None, False
    return node


def _delete_subtree(node: Node) -> int:
    """Delete ``node`` and its subtree (trashed or not) inside the caller's transaction;
    returns the bytes freed."""
    rows = _subtree(node)
    freed = rows.filter(kind=NodeKind.FILE).aggregate(total=Sum("size"))["total"] or 0
    storage.delete_blobs(list(rows.exclude(blob="").values_list("blob", flat=True)))
    Share.objects.filter(node__in=rows).delete()
    # Children first: the parent key cascades, but one bulk delete keeps it to two queries.
    rows.delete()
    Space.objects.filter(pk=node.space_id).update(used_bytes=F("used_bytes") - freed)
    return freed


def do_delete_forever(*, actor: Any, node: Node) -> int:
    """Delete a node of the actor's own space (or, for its animators, of a workspace's shared
    folder) and all it holds, now (from the trash or not); returns the bytes freed."""
    _require(policies.can_delete_forever(actor, node))
    with transaction.atomic():
        _lock_space(node.space)
        freed = _delete_subtree(node)
        _changed(node.space)
    return freed


def do_empty_trash(*, actor: Any) -> int:
    """Delete forever everything in the actor's trash; returns the bytes freed."""
    freed = 0
    with transaction.atomic():
        for node in policies.trashed(actor).select_related("space"):
            node.grant = policies.grant_for(actor, node)
            freed += do_delete_forever(actor=actor, node=node)
    return freed


def purge_trash(*, now: datetime | None = None, establishment: Establishment | None = None) -> int:
    """Delete forever what has been in a trash for ``TRASH_DAYS`` days (the system's work:
    the management command purge_drive_trash and the task run it); returns how many nodes
    left the trash."""
    limit = (now or timezone.now()) - timedelta(days=TRASH_DAYS)
    expired = Node.objects.filter(trash_root=True, trashed_at__lt=limit)
    if establishment is not None:
        expired = expired.filter(establishment=establishment)
    count = 0
    for node in expired.select_related("space").iterator():
        with transaction.atomic():
            _lock_space(node.space)
            if Node.objects.filter(pk=node.pk).exists():
                _delete_subtree(node)
                _changed(node.space)
                count += 1
    return count


# -- shares --------------------------------------------------------------------------------------
def do_share(
    *,
    actor: Any,
    node: Node,
    permission: str = Permission.READ,
    person: Any = None,
    school_class: Any = None,
    group: Any = None,
) -> Share:
    """Share ``node`` with one person, a class or a teaching group, to read or to edit (an
    existing share with the same grantee gets the new permission). The people it reaches are
    notified."""
    _require(policies.can_share(actor, node))
    if sum(x is not None for x in (person, school_class, group)) != 1:
        raise PermissionDenied
    _require(
        policies.can_share_with(
            actor, permission=permission, person=person, school_class=school_class, group=group
        )
    )
    grantee = {"person": person, "school_class": school_class, "group": group}
    with transaction.atomic():
        key = {name: value for name, value in grantee.items() if value is not None}
        share = Share.objects.filter(node=node, **key).first()
        if share is not None:
            if share.permission != permission:
                share.permission = permission
                share.save(update_fields=["permission"])
            return share
        share = Share.objects.create(
            establishment_id=node.establishment_id,
            node=node,
            permission=permission,
            created_by=actor.user,
            **grantee,
        )
        recipients = list(policies.share_recipients(share).exclude(pk=actor.user.pk))
        route = "drive:folder" if node.kind == NodeKind.FOLDER else "drive:item"
        who = actor.user.get_full_name() or actor.user.get_username()
        title = (
            _("%(who)s a partagé le dossier « %(name)s »")
            if node.kind == NodeKind.FOLDER
            else _("%(who)s a partagé le fichier « %(name)s »")
        ) % {"who": who, "name": node.name}
        notify(
            recipients=recipients,
            establishment=node.establishment,
            kind=Kind.DRIVE,
            title=title[:200],
            url=reverse(route, kwargs={"public_id": node.public_id}),
            actor=actor.user,
        )
        _changed(node.space, shared=True)
    return share


def do_revoke_share(*, actor: Any, share: Share) -> None:
    _require(policies.is_owner(actor, share.node))
    with transaction.atomic():
        share.delete()
        _changed(share.node.space, shared=True)


# -- settings ------------------------------------------------------------------------------------
SETTINGS_FIELDS = list(DriveSettings.DEFAULTS)


def do_update_settings(*, actor: Any, establishment: Establishment, **values: int) -> DriveSettings:
    """Set the establishment's quotas and largest file (MiB); audited."""
    _require(policies.can_manage_settings(actor, establishment))
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown drive settings: {sorted(unknown)}")
    with transaction.atomic():
        settings, _created = DriveSettings.objects.select_for_update().get_or_create(
            establishment=establishment
        )
        before = snapshot(settings, SETTINGS_FIELDS)
        for name, value in values.items():
            setattr(settings, name, int(value))
        settings.save(update_fields=[*values, "updated_at"])
        record(
            actor=actor,
            establishment=establishment,
            action="drive.settings.update",
            target=settings,
            before=before,
            after=snapshot(settings, SETTINGS_FIELDS),
        )
    return settings
