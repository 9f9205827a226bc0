"""The drive as WebDAV resources, for WsgiDAV.

The tree under ``/dav/`` (the same for everyone, whatever their number of establishments)::

    /dav/                                   one folder per establishment of the person
    /dav/<Établissement>/
        Mes fichiers/                       their personal space there (read and write)
        Partagés avec moi/                  what is shared with them there (as the share allows)

Every read goes through the drive's policies (``resolve_path``, ``children``,
``shared_with_me``) with the person's Actor *in that establishment*; every write through the
drive's actions, which check the rights again, the quota, the largest file and the type. What is
out of reach does not exist (404); a write the person may not make is refused (403).

The folder names are fixed in French and not translated: clients keep paths in their settings,
and a path must not change with the language of the account.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urlparse

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.http import Http404
from wsgidav import util
from wsgidav.dav_error import (
    HTTP_BAD_REQUEST,
    HTTP_CONFLICT,
    HTTP_CREATED,
    HTTP_FORBIDDEN,
    HTTP_INSUFFICIENT_STORAGE,
    HTTP_MEDIATYPE_NOT_SUPPORTED,
    HTTP_NOT_FOUND,
    HTTP_REQUEST_ENTITY_TOO_LARGE,
    DAVError,
    PRECONDITION_CODE_PropfindFiniteDepth,
)
from wsgidav.dav_provider import DAVCollection, DAVNonCollection, DAVProvider

from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor
from preau.dav import pending
from preau.dav.models import WORKING_FILE_MAX_BYTES, PendingFile
from preau.dav.namespace import Namespace
from preau.directory.models import Establishment
from preau.drive import actions, errors, filetypes, policies, storage
from preau.drive.models import Node, NodeKind
from preau.portal.registry import get_service
from preau.portal.selectors import is_service_enabled

MY_FILES = "Mes fichiers"
SHARED = "Partagés avec moi"
TREE_KEY = "preau.dav.tree"


@contextmanager
def drive_answers() -> Iterator[None]:
    """The drive's refusals as WebDAV answers."""
    try:
        yield
    except Http404:
        raise DAVError(HTTP_NOT_FOUND) from None
    except PermissionDenied:
        raise DAVError(HTTP_FORBIDDEN) from None
    except errors.QuotaExceeded as error:
        raise DAVError(HTTP_INSUFFICIENT_STORAGE, error.text) from None
    except errors.FileTooLarge as error:
        raise DAVError(HTTP_REQUEST_ENTITY_TOO_LARGE, error.text) from None
    except errors.FileTypeRefused as error:
        raise DAVError(HTTP_MEDIATYPE_NOT_SUPPORTED, error.text) from None
    except errors.NameConflict as error:
        raise DAVError(HTTP_CONFLICT, error.text) from None
    except errors.InvalidMove as error:
        raise DAVError(HTTP_CONFLICT, error.text) from None
    except errors.InvalidName as error:
        raise DAVError(HTTP_BAD_REQUEST, error.text) from None


def _segments(path: str) -> list[str]:
    # macOS sends decomposed accents (NFD); the drive keeps names composed (NFC).
    return [unicodedata.normalize("NFC", part) for part in path.strip("/").split("/") if part]


def _folder_name(name: str) -> str:
    return name.replace("/", "-").strip() or "-"


class Tree:
    """One person's ``/dav/`` for one request: their establishments, an Actor in each, and
    what is shared with them there (each computed once)."""

    def __init__(self, person: Any) -> None:
        self.person = person
        self._actors: dict[int, Actor] = {}
        self._spaces: dict[int, Node] = {}
        self._shared: dict[int, dict[str, Node]] = {}
        self._usage: dict[int, policies.Usage] = {}

    @cached_property
    def folders(self) -> dict[str, Establishment]:
        """Top folder name → establishment; the UAI is added when two names collide."""
        service = get_service("drive")
        establishments = [
            e
            for e in Actor(self.person).establishments
            if service is None or is_service_enabled(e, service.code)
        ]
        names = [_folder_name(e.name) for e in establishments]
        return {
            name if names.count(name) == 1 else f"{name} ({e.uai})": e
            for name, e in zip(names, establishments, strict=True)
        }

    @cached_property
    def namespace(self) -> Namespace:
        return Namespace(self.person, self.folders)

    def actor(self, establishment: Establishment) -> Actor:
        if establishment.pk not in self._actors:
            session = {SESSION_ESTABLISHMENT_KEY: str(establishment.public_id)}
            self._actors[establishment.pk] = Actor(self.person, session)
        return self._actors[establishment.pk]

    def shared(self, establishment: Establishment) -> dict[str, Node]:
        """The nodes shared with the person there, by the name they show under « Partagés
        avec moi »: their own, or followed by their owner's name when two are alike."""
        if establishment.pk not in self._shared:
            shares = policies.shared_with_me(self.actor(establishment)).select_related(
                "node__space__owner", "node__establishment"
            )
            nodes: dict[int, Node] = {}
            for share in shares.order_by("node__created_at", "node_id"):
                nodes.setdefault(share.node_id, share.node)
            names: dict[str, Node] = {}
            for node in nodes.values():
                name = node.name
                if name.casefold() in {n.casefold() for n in names}:
                    owner = node.space.owner
                    stem, dot, extension = node.name.rpartition(".")
                    if not dot or not stem:
                        stem, dot, extension = node.name, "", ""
                    name = f"{stem} ({owner.get_full_name() if owner else '-'}){dot}{extension}"
                    if name.casefold() in {n.casefold() for n in names}:
                        name = f"{stem} ({node.public_id.hex[:8]}){dot}{extension}"
                names[name] = node
            self._shared[establishment.pk] = names
        return self._shared[establishment.pk]

    def find_shared(self, establishment: Establishment, name: str) -> Node | None:
        key = name.casefold()
        for shown, node in self.shared(establishment).items():
            if shown.casefold() == key:
                return node
        return None

    def root_of_space(self, establishment: Establishment) -> Node:
        """The root of the person's personal space there (created on first use, as the
        drive's pages do)."""
        if establishment.pk not in self._spaces:
            actor = self.actor(establishment)
            with drive_answers():
                space = actions.do_ensure_personal_space(actor=actor)
                self._spaces[establishment.pk] = actions.root_of(space)
        return self._spaces[establishment.pk]

    def usage(self, space: Any) -> policies.Usage:
        """A space's usage and quota, once per request (folders of a space all show them)."""
        if space.pk not in self._usage:
            self._usage[space.pk] = policies.usage(space)
        return self._usage[space.pk]


def tree_of(environ: dict[str, Any]) -> Tree:
    return environ[TREE_KEY]


class DriveProvider(DAVProvider):
    """Resolves a path under ``/dav/`` into a resource, or None when it is out of reach."""

    def custom_request_handler(
        self, environ: dict[str, Any], start_response: Any, default_handler: Any
    ) -> Any:
        # RFC 4918 §9.1: a server may refuse to list a whole tree in one PROPFIND (the
        # default depth); a drive can hold thousands of folders. Clients then go level by level.
        if environ["REQUEST_METHOD"] == "PROPFIND" and environ.get("HTTP_DEPTH") in (
            None,
            "infinity",
        ):
            resource = self.get_resource_inst(environ["PATH_INFO"], environ)
            if resource is not None and resource.is_collection:
                raise DAVError(HTTP_FORBIDDEN, err_condition=PRECONDITION_CODE_PropfindFiniteDepth)
        if environ["REQUEST_METHOD"] in ("MOVE", "COPY") and "HTTP_DESTINATION" in environ:
            renamed = self._change_of_case(environ)
            if renamed:
                return util.send_status_response(environ, start_response, HTTP_CREATED)
        return default_handler(environ, start_response)

    def _change_of_case(self, environ: dict[str, Any]) -> bool:
        """« a.txt » moved to « A.txt » (Windows renames so): names are the same for the drive,
        so the protocol layer would take the destination for another file and delete it
        first, that is the source itself. A rename does it; a copy onto itself is refused."""
        source = self.get_resource_inst(environ["PATH_INFO"], environ)
        destination = urlparse(unquote(environ["HTTP_DESTINATION"])).path
        if not isinstance(source, _NodeMixin) or not destination.startswith(self.mount_path + "/"):
            return False
        target_path = destination[len(self.mount_path) :]
        target = self.get_resource_inst(target_path, environ)
        if not isinstance(target, _NodeMixin) or target.node is None or source.node is None:
            return False
        if target.node.pk != source.node.pk or _segments(target_path) == _segments(source.path):
            return False
        if environ["REQUEST_METHOD"] == "COPY":
            raise DAVError(HTTP_FORBIDDEN, "Cannot copy a resource onto itself.")
        util.parse_if_header_dict(environ)
        self.lock_manager.check_write_permission(
            url=source.get_ref_url(),
            depth="infinity",
            token_list=environ["wsgidav.ifLockTokenList"],
            principal=environ["wsgidav.user_name"],
        )
        with drive_answers():
            actions.do_rename(actor=source.actor, node=source.node, name=_segments(target_path)[-1])
        renamed = self.get_resource_inst(target_path, environ)
        if self.prop_manager is not None and renamed is not None:
            self.prop_manager.move_properties(
                source.get_ref_url(), renamed.get_ref_url(), with_children=True, environ=environ
            )
        source.remove_all_locks(recursive=True)
        return True

    def get_resource_inst(self, path: str, environ: dict[str, Any]) -> Any:
        tree = tree_of(environ)
        parts = _segments(path)
        if not parts:
            return RootFolder("/", environ)
        establishment = tree.folders.get(parts[0])
        if establishment is None:
            return None
        if len(parts) == 1:
            return EstablishmentFolder(path, environ, establishment)
        actor = tree.actor(establishment)
        section, names = parts[1], parts[2:]
        try:
            if section == MY_FILES:
                start, rest = tree.root_of_space(establishment), names
            elif section == SHARED:
                if not names:
                    return SharedFolder(path, environ, establishment)
                start, rest = tree.find_shared(establishment, names[0]), names[1:]
                if start is None:
                    return None
            else:
                return None
            try:
                node = policies.resolve_path(actor, rest, start=start)
            except Http404:
                return self._pending(path, environ, actor, start, rest)
        except (Http404, DAVError):
            return None
        return node_resource(path, environ, actor, node)

    def _pending(
        self, path: str, environ: dict[str, Any], actor: Actor, start: Node, names: list[str]
    ) -> Any:
        """The empty file waiting at ``path``, if the person created one there."""
        if not names:
            return None
        folder = policies.resolve_path(actor, names[:-1], start=start)
        if folder.kind != NodeKind.FOLDER:
            return None
        row = pending.find(actor.user, folder, names[-1])
        if row is None:
            return None
        return FileResource(path, environ, actor, None, folder=folder, waiting=row)


def node_resource(path: str, environ: dict[str, Any], actor: Actor, node: Node) -> Any:
    if node.kind == NodeKind.FOLDER:
        return FolderResource(path, environ, actor, node)
    return FileResource(path, environ, actor, node)


# -- the folders that are not the drive's ------------------------------------------------------
class _Virtual(DAVCollection):
    """A folder of the layout, not of the drive: it holds what it lists and takes nothing."""

    def get_display_name(self) -> str:
        return util.get_uri_name(self.path)

    def get_member(self, name: str) -> Any:
        return self.provider.get_resource_inst(util.join_uri(self.path, name), self.environ)

    def prevent_locking(self) -> bool:
        return True

    def create_empty_resource(self, name: str) -> Any:
        raise DAVError(HTTP_FORBIDDEN)

    def create_collection(self, name: str) -> None:
        raise DAVError(HTTP_FORBIDDEN)

    def delete(self) -> None:
        raise DAVError(HTTP_FORBIDDEN)

    def copy_move_single(self, dest_path: str, *, is_move: bool) -> None:
        raise DAVError(HTTP_FORBIDDEN)

    def set_property_value(self, name: str, value: Any, *, dry_run: bool = False) -> Any:
        raise DAVError(HTTP_FORBIDDEN)


class RootFolder(_Virtual):
    def get_member_names(self) -> list[str]:
        return list(tree_of(self.environ).folders)


class EstablishmentFolder(_Virtual):
    def __init__(self, path: str, environ: dict[str, Any], establishment: Establishment) -> None:
        super().__init__(path, environ)
        self.establishment = establishment

    def get_member_names(self) -> list[str]:
        return [MY_FILES, SHARED]


class SharedFolder(_Virtual):
    def __init__(self, path: str, environ: dict[str, Any], establishment: Establishment) -> None:
        super().__init__(path, environ)
        self.establishment = establishment

    def get_member_names(self) -> list[str]:
        return list(tree_of(self.environ).shared(self.establishment))

    def get_member_list(self) -> list[Any]:
        tree = tree_of(self.environ)
        actor = tree.actor(self.establishment)
        return [
            node_resource(util.join_uri(self.path, name), self.environ, actor, node)
            for name, node in tree.shared(self.establishment).items()
        ]


# -- the drive's folders and files ---------------------------------------------------------------
class _NodeMixin:
    """What folders and files of the drive share: rights, dates, delete, copy and move."""

    path: str
    environ: dict[str, Any]
    provider: Any

    def _init_node(self, actor: Actor, node: Node | None) -> None:
        self.actor = actor
        self.node = node

    def get_display_name(self) -> str:
        return self.node.name if self.node is not None else util.get_uri_name(self.path)

    def get_creation_date(self) -> float | None:
        return self.node.created_at.timestamp() if self.node is not None else None

    def get_last_modified(self) -> float | None:
        return self.node.modified_at.timestamp() if self.node is not None else None

    @property
    def writable(self) -> bool:
        return self.node is not None and policies.can_write_into(self.actor, self.node)

    def prevent_locking(self) -> bool:
        return not self.writable

    def set_property_value(self, name: str, value: Any, *, dry_run: bool = False) -> Any:
        if not self.writable:
            raise DAVError(HTTP_FORBIDDEN)
        return super().set_property_value(name, value, dry_run=dry_run)  # type: ignore[misc]

    def _forget(self) -> None:
        """Drop the properties and locks of this path and below (the node went away)."""
        if self.provider.prop_manager:
            self.provider.prop_manager.remove_properties(self.get_ref_url(), self.environ)
        self.remove_all_locks(recursive=True)

    def delete(self) -> None:
        """Put the node in the drive's trash (recoverable there, like from the pages)."""
        with drive_answers():
            actions.do_trash(actor=self.actor, node=self.node)
        self._forget()

    def _destination(self, dest_path: str) -> tuple[FolderResource, str]:
        """The drive folder a copy or a move goes into, in the same establishment."""
        parent = self.provider.get_resource_inst(util.get_uri_parent(dest_path), self.environ)
        if not isinstance(parent, FolderResource) or parent.actor is not self.actor:
            raise DAVError(HTTP_FORBIDDEN)
        return parent, _segments(dest_path)[-1]

    def _existing(self, dest_path: str) -> Any:
        return self.provider.get_resource_inst(dest_path, self.environ)

    def _carry_properties(self, dest_path: str, *, is_move: bool) -> None:
        manager = self.provider.prop_manager
        if manager is None:
            return
        dest = self._existing(dest_path)
        if dest is None:
            return
        if is_move:
            manager.move_properties(
                self.get_ref_url(), dest.get_ref_url(), with_children=False, environ=self.environ
            )
        else:
            manager.copy_properties(self.get_ref_url(), dest.get_ref_url(), self.environ)

    def support_recursive_move(self, dest_path: str) -> bool:
        try:
            parent, _name = self._destination(dest_path)
        except DAVError:
            return False
        return parent.node.space_id == self.node.space_id

    def move_recursive(self, dest_path: str) -> list[Any]:
        """A move inside one space: one action, the subtree goes along."""
        parent, name = self._destination(dest_path)
        with drive_answers():
            actions.do_move(actor=self.actor, node=self.node, target=parent.node, name=name)
        manager = self.provider.prop_manager
        moved = self._existing(dest_path)
        if manager is not None and moved is not None:
            manager.move_properties(
                self.get_ref_url(), moved.get_ref_url(), with_children=True, environ=self.environ
            )
        self.remove_all_locks(recursive=True)
        return []


class FolderResource(_NodeMixin, DAVCollection):
    def __init__(self, path: str, environ: dict[str, Any], actor: Actor, node: Node) -> None:
        DAVCollection.__init__(self, path, environ)
        self._init_node(actor, node)

    @cached_property
    def _members(self) -> list[tuple[str, Node | PendingFile]]:
        """The folder's contents, then the empty files the person left waiting in it."""
        children = list(policies.children(self.actor, self.node).select_related("space"))
        taken = {child.name_key for child in children}
        waiting = pending.in_folder(self.actor.user, self.node)
        waiting = [row for row in waiting if row.name_key not in taken]
        return [(c.name, c) for c in children] + [(row.name, row) for row in waiting]

    def get_member_names(self) -> list[str]:
        return [name for name, _member in self._members]

    def get_member(self, name: str) -> Any:
        return self.provider.get_resource_inst(util.join_uri(self.path, name), self.environ)

    def get_member_list(self) -> list[Any]:
        resources = []
        for name, member in self._members:
            path = util.join_uri(self.path, name)
            if isinstance(member, PendingFile):
                resources.append(
                    FileResource(
                        path, self.environ, self.actor, None, folder=self.node, waiting=member
                    )
                )
            else:
                resources.append(node_resource(path, self.environ, self.actor, member))
        return resources

    def support_recursive_delete(self) -> bool:
        return True

    def _own_usage(self) -> policies.Usage | None:
        """The space's usage, for its owner only (RFC 4331: file managers show the room left;
        a share does not tell its owner's usage)."""
        if self.node.space.owner_id != self.actor.user.pk:
            return None
        return tree_of(self.environ).usage(self.node.space)

    def get_used_bytes(self) -> int | None:
        usage = self._own_usage()
        return usage.used if usage is not None else None

    def get_available_bytes(self) -> int | None:
        usage = self._own_usage()
        return usage.remaining if usage is not None else None

    def create_collection(self, name: str) -> None:
        with drive_answers():
            actions.do_create_folder(actor=self.actor, parent=self.node, name=name)

    def create_empty_resource(self, name: str) -> Any:
        """A new file: PUT gives it its content next (it is created then, with its checks);
        LOCK on a free name creates it empty at once, as RFC 4918 §7.3 asks."""
        if not self.writable:
            raise DAVError(HTTP_FORBIDDEN)
        resource = FileResource(
            util.join_uri(self.path, name), self.environ, self.actor, None, folder=self.node
        )
        if self.environ.get("REQUEST_METHOD") == "LOCK":
            resource.store_empty()
        return resource

    def copy_move_single(self, dest_path: str, *, is_move: bool) -> None:
        """This folder alone at ``dest_path`` (its members follow one by one)."""
        parent, name = self._destination(dest_path)
        if not isinstance(self._existing(dest_path), FolderResource):
            with drive_answers():
                actions.do_create_folder(actor=self.actor, parent=parent.node, name=name)
        self._carry_properties(dest_path, is_move=is_move)


class FileResource(_NodeMixin, DAVNonCollection):
    """A file of the drive; with ``node`` None, a file about to be created by PUT (``folder``
    is where), an empty one waiting for its content, or a program's working file
    (``waiting``, see ``models.PendingFile``)."""

    def __init__(
        self,
        path: str,
        environ: dict[str, Any],
        actor: Actor,
        node: Node | None,
        *,
        folder: Node | None = None,
        waiting: PendingFile | None = None,
    ) -> None:
        DAVNonCollection.__init__(self, path, environ)
        self._init_node(actor, node)
        self.folder = folder
        self.waiting = waiting
        self._upload: TemporaryUploadedFile | None = None

    @property
    def file_name(self) -> str:
        return _segments(self.path)[-1]

    @property
    def working(self) -> bool:
        """A working file of a program, kept beside the drive."""
        return self.node is None and pending.is_working_file(self.file_name)

    @property
    def writable(self) -> bool:
        if self.node is None:
            return self.folder is not None and policies.can_write_into(self.actor, self.folder)
        return super().writable

    @property
    def _waiting_content(self) -> bytes:
        return bytes(self.waiting.content) if self.waiting is not None else b""

    def get_creation_date(self) -> float | None:
        if self.waiting is not None:
            return self.waiting.created_at.timestamp()
        return super().get_creation_date()

    def get_last_modified(self) -> float | None:
        if self.waiting is not None:
            return self.waiting.created_at.timestamp()
        return super().get_last_modified()

    def get_content_length(self) -> int:
        return self.node.size if self.node is not None else len(self._waiting_content)

    def get_content_type(self) -> str:
        if self.node is not None and self.node.content_type:
            return self.node.content_type
        return "application/octet-stream"

    def get_etag(self) -> str | None:
        if self.node is not None:
            material = f"{self.node.public_id}:{self.node.blob}"
        elif self.waiting is not None:
            material = f"waiting:{self.waiting.pk}:{self.waiting.created_at.isoformat()}"
        else:
            return None
        return hashlib.sha256(material.encode()).hexdigest()[:32]

    def support_etag(self) -> bool:
        return True

    def support_ranges(self) -> bool:
        return True

    def get_content(self) -> Any:
        if self.node is None:
            return io.BytesIO(self._waiting_content)
        return storage.open_blob(self.node.blob)

    def finalize_headers(self, environ: dict[str, Any], response_headers: list[Any]) -> None:
        # A browser that follows a link to /dav/ downloads the file, never renders it in the
        # portal's origin (file managers ignore this header).
        response_headers.append(("Content-Disposition", "attachment"))

    def store_empty(self) -> None:
        """Create the file empty: in the drive when it takes an empty file of this type (plain
        text does), else waiting for its content."""
        if self.working:
            self.waiting = pending.create(actor=self.actor, folder=self.folder, name=self.file_name)
            return
        with drive_answers():
            try:
                self.node = actions.do_upload_file(
                    actor=self.actor, folder=self.folder, name=self.file_name, content=b""
                )
            except errors.FileTypeRefused:
                if not filetypes.accepted_extension(self.file_name):
                    raise
                self.waiting = pending.create(
                    actor=self.actor, folder=self.folder, name=self.file_name
                )

    # -- PUT: the body is spooled to a temporary file, then given to the drive's action --------
    def _limits(self) -> tuple[int, int]:
        """(largest file, room left in the space) in bytes, for this write."""
        target = self.node if self.node is not None else self.folder
        room = policies.usage(target.space).remaining + (self.node.size if self.node else 0)
        return policies.max_file_bytes(target.establishment_id), room

    def begin_write(self, *, content_type: str | None = None) -> Any:
        if not self.writable:
            raise DAVError(HTTP_FORBIDDEN)
        largest, room = (WORKING_FILE_MAX_BYTES,) * 2 if self.working else self._limits()
        declared = util.get_content_length(self.environ)
        if declared > largest:
            raise DAVError(HTTP_REQUEST_ENTITY_TOO_LARGE)
        if declared > room:
            raise DAVError(HTTP_INSUFFICIENT_STORAGE)
        self._upload = TemporaryUploadedFile(self.file_name, content_type or "", 0, None)
        return _LimitedWriter(self._upload, largest, room)

    def end_write(self, *, with_errors: bool) -> None:
        upload, self._upload = self._upload, None
        if upload is None:
            return
        try:
            if with_errors:
                return
            upload.size = upload.file.tell()
            upload.seek(0)
            if self.node is not None:
                with drive_answers():
                    self.node = actions.do_replace_file(
                        actor=self.actor, file=self.node, content=upload
                    )
            elif self.working:
                self.waiting = pending.create(
                    actor=self.actor, folder=self.folder, name=self.file_name, content=upload.read()
                )
            elif upload.size == 0:
                self.store_empty()
            else:
                with drive_answers():
                    self.node = actions.do_upload_file(
                        actor=self.actor, folder=self.folder, name=self.file_name, content=upload
                    )
                self._stop_waiting()
        finally:
            upload.close()

    def _stop_waiting(self) -> None:
        if self.waiting is not None:
            self.waiting.delete()
            self.waiting = None

    def delete(self) -> None:
        if self.node is None:
            self._stop_waiting()
            self._forget()
            return
        super().delete()

    def support_recursive_move(self, dest_path: str) -> bool:
        return self.node is not None and super().support_recursive_move(dest_path)

    def copy_move_single(self, dest_path: str, *, is_move: bool) -> None:
        """This file at ``dest_path``: a copy through the drive (counted in the quota), or a
        new content for the file already there."""
        parent, name = self._destination(dest_path)
        existing = self._existing(dest_path)
        if self.node is None:
            content = self._waiting_content
            if pending.is_working_file(name) or not content:
                if not pending.is_working_file(name):
                    content = b""
                pending.create(actor=self.actor, folder=parent.node, name=name, content=content)
            else:
                # A working file given a document's name: it becomes a file of the drive.
                with drive_answers():
                    actions.do_upload_file(
                        actor=self.actor,
                        folder=parent.node,
                        name=name,
                        content=io.BytesIO(content),
                    )
        else:
            with drive_answers():
                if isinstance(existing, FileResource) and existing.node is not None:
                    with storage.open_blob(self.node.blob) as content:
                        actions.do_replace_file(
                            actor=self.actor, file=existing.node, content=content
                        )
                else:
                    actions.do_copy(actor=self.actor, node=self.node, target=parent.node, name=name)
                    if isinstance(existing, FileResource):
                        existing._stop_waiting()
        self._carry_properties(dest_path, is_move=is_move)


class _LimitedWriter:
    """The file PUT writes into: it stops the request as soon as the body passes the largest
    file or what is left of the quota, before the drive is even asked."""

    def __init__(self, upload: TemporaryUploadedFile, largest: int, room: int) -> None:
        self.upload = upload
        self.largest = largest
        self.room = room
        self.written = 0

    def write(self, data: bytes) -> None:
        self.written += len(data)
        if self.written > self.largest:
            raise DAVError(HTTP_REQUEST_ENTITY_TOO_LARGE)
        if self.written > self.room:
            raise DAVError(HTTP_INSUFFICIENT_STORAGE)
        self.upload.file.write(data)

    def close(self) -> None:
        """The upload stays open for ``end_write``."""
