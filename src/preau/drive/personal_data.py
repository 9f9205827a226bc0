"""A person's files, for the export of their data (preau.privacy): everything in their
personal space (trash included, marked), and the files they put in shared spaces."""

from typing import Any

from django.db.models import F, Q

from preau.drive import storage
from preau.drive.models import Node, NodeKind, SpaceKind
from preau.privacy.registry import FileEntry, PersonalData, rows, safe_name


def _owned(person: Any) -> Any:
    return Node.objects.filter(
        Q(space__owner=person, space__kind=SpaceKind.PERSONAL)
        | Q(created_by=person, kind=NodeKind.FILE)
    ).order_by("path", "pk")


def export(person: Any) -> PersonalData:
    nodes = _owned(person).values(
        "kind",
        "name",
        "path",
        "size",
        "content_type",
        "created_at",
        "modified_at",
        "trashed_at",
        identifiant=F("public_id"),
        espace=F("space__name"),
        etablissement=F("establishment__name"),
    )
    return PersonalData(records={"documents": rows(nodes)}, files=_files(person))


def _files(person: Any) -> Any:
    files = _owned(person).filter(kind=NodeKind.FILE).exclude(blob="")
    for node in files.only("public_id", "name", "blob", "modified_at").iterator(chunk_size=200):
        yield FileEntry(
            name=f"documents/{node.public_id}-{safe_name(node.name)}",
            open=lambda blob=node.blob: storage.open_blob(blob),
            modified=node.modified_at,
        )
