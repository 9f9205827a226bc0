"""Empty files waiting for their content (see ``models.PendingFile``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from preau.dav.models import PENDING_HOURS, PendingFile
from preau.drive import actions
from preau.drive.models import Node


def _fresh(person: Any) -> QuerySet[PendingFile]:
    since = timezone.now() - timedelta(hours=PENDING_HOURS)
    return PendingFile.objects.filter(person=person, created_at__gte=since)


def in_folder(person: Any, folder: Node) -> list[PendingFile]:
    return list(_fresh(person).filter(folder=folder).order_by("name_key"))


def find(person: Any, folder: Node, name: str) -> PendingFile | None:
    return _fresh(person).filter(folder=folder, name_key=name.casefold()).first()


def create(*, actor: Any, folder: Node, name: str) -> PendingFile:
    """Keep ``name`` waiting in ``folder`` (a name the drive accepts, in a folder the actor
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
            "establishment_id": folder.establishment_id,
            "created_at": timezone.now(),
        },
    )
    return row
