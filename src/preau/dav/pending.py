"""Empty files waiting for their content, and the working files of programs (see
``models.PendingFile``)."""

from __future__ import annotations

import fnmatch
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from preau.dav.models import PENDING_HOURS, PendingFile
from preau.drive import actions
from preau.drive.models import Node

# Files programs write beside the documents they open, never documents themselves.
WORKING_FILES = (
    "._*",  # macOS: a file's extended attributes (AppleDouble)
    ".ds_store",  # macOS: a folder's view settings
    "~$*",  # Microsoft Office: who has the document open
    ".~lock.*#",  # LibreOffice: who has the document open
    "thumbs.db",  # Windows: thumbnails
    "desktop.ini",  # Windows: a folder's view settings
)


def is_working_file(name: str) -> bool:
    key = name.casefold()
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in WORKING_FILES)


def _fresh(person: Any) -> QuerySet[PendingFile]:
    since = timezone.now() - timedelta(hours=PENDING_HOURS)
    return PendingFile.objects.filter(person=person, created_at__gte=since)


def in_folder(person: Any, folder: Node) -> list[PendingFile]:
    return list(_fresh(person).filter(folder=folder).order_by("name_key"))


def find(person: Any, folder: Node, name: str) -> PendingFile | None:
    return _fresh(person).filter(folder=folder, name_key=name.casefold()).first()


def create(*, actor: Any, folder: Node, name: str, content: bytes = b"") -> PendingFile:
    """Keep ``name`` (with ``content``, for a working file) in ``folder`` (a folder the actor
    may write into: the caller checked it)."""
    name = actions.clean_name(name)
    since = timezone.now() - timedelta(hours=PENDING_HOURS)
    PendingFile.objects.filter(person=actor.user, created_at__lt=since).delete()
    row, _ = PendingFile.objects.update_or_create(
        person=actor.user,
        folder=folder,
        name_key=name.casefold(),
        defaults={
            "name": name,
            "content": content,
            "establishment_id": folder.establishment_id,
            "created_at": timezone.now(),
        },
    )
    return row


def purge_expired() -> int:
    """Forget the empty and working files older than ``PENDING_HOURS`` of everyone."""
    since = timezone.now() - timedelta(hours=PENDING_HOURS)
    deleted, _ = PendingFile.objects.filter(created_at__lt=since).delete()
    return deleted
