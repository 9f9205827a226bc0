"""File contents of the drive in Django's storage: streamed in, streamed out, never whole in
memory.

An upload is first spooled to a temporary file on disk, chunk by chunk, stopping as soon as it
passes its limit; its type is checked there; only then is it saved to the storage (which copies
by chunks, or moves a temporary upload's file on a local disk). Names are unguessable and carry
no extension: what a file is lives in the database.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction

CHUNK = 256 * 1024


class LimitExceeded(Exception):
    """The stream holds more than the limit it was spooled with."""


@dataclass
class Spooled:
    """An upload on disk (seekable), with its size."""

    file: IO[bytes]
    size: int
    owned: bool  # a temporary file of ours, closed (and so removed) by ``close``

    def close(self) -> None:
        if self.owned:
            self.file.close()


def spool(content: Any, limit: int) -> Spooled:
    """``content`` (a file-like object, or an upload Django already wrote to disk) as a
    seekable file of at most ``limit`` bytes; LimitExceeded as soon as it holds more."""
    size = getattr(content, "size", None)
    if hasattr(content, "temporary_file_path") and size is not None:
        if size > limit:
            raise LimitExceeded
        content.seek(0)
        return Spooled(content, size, owned=False)
    if isinstance(content, bytes | bytearray):
        content = io.BytesIO(content)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Spooled.close
    written = 0
    try:
        while True:
            chunk = content.read(CHUNK)
            if not chunk:
                break
            written += len(chunk)
            if written > limit:
                raise LimitExceeded
            target.write(chunk)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return Spooled(target, written, owned=True)


def new_blob_name(establishment_public_id: uuid.UUID) -> str:
    key = uuid.uuid4().hex
    return f"drive/{establishment_public_id}/{key[:2]}/{key}"


def save_blob(establishment_public_id: uuid.UUID, file: IO[bytes]) -> str:
    """Store ``file`` under a new unguessable name; returns the name. An upload Django wrote
    to a temporary file is moved there (on a local disk), anything else copied by chunks."""
    file.seek(0)
    content = file if hasattr(file, "temporary_file_path") else File(file)
    return default_storage.save(new_blob_name(establishment_public_id), content)


def copy_blob(establishment_public_id: uuid.UUID, name: str) -> str:
    """A copy of a stored content under a new name, streamed through a temporary file."""
    with default_storage.open(name, "rb") as source, tempfile.TemporaryFile() as buffer:
        shutil.copyfileobj(source, buffer, CHUNK)
        return save_blob(establishment_public_id, buffer)


def open_blob(name: str) -> IO[bytes]:
    return default_storage.open(name, "rb")


def local_path(name: str) -> str | None:
    """The blob's path on a local disk, when the storage has one (for X-Accel-Redirect)."""
    # Object storages have no path: their files are streamed by Django instead.
    return default_storage.path(name) if isinstance(default_storage, FileSystemStorage) else None


def thumbnail_name(blob: str) -> str:
    return f"{blob}.thumb.webp"


def delete_blobs(names: Iterable[str]) -> None:
    """Delete these contents (and their thumbnails) once the transaction has committed: a
    rolled-back deletion keeps its files."""
    names = [name for name in names if name]
    if not names:
        return

    def delete() -> None:
        for name in names:
            for each in (name, thumbnail_name(name)):
                if default_storage.exists(each):
                    default_storage.delete(each)

    transaction.on_commit(delete)


def discard_blob(name: str) -> None:
    """Delete a content stored for a write that failed afterwards (no transaction to wait for)."""
    if name and default_storage.exists(name):
        default_storage.delete(name)
