"""The registry of personal data: each service that holds some says what a person's is.

An app that keeps personal data has a ``personal_data`` module with ``export(person)``
returning a :class:`PersonalData`: named lists of JSON-ready records (each written to
``<service>/<name>.json`` in the archive) and the person's own files. Records and files are
lazy iterables (querysets read with ``.iterator()``), so the archive is written one record
and one file chunk at a time. Modules are discovered in the order of INSTALLED_APPS, like the
demo builders.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.apps import apps


@dataclass(frozen=True)
class FileEntry:
    """One of the person's files: its name in the archive and how to read its bytes."""

    name: str
    open: Callable[[], IO[bytes]]
    modified: datetime | None = None


@dataclass
class PersonalData:
    records: dict[str, Iterable[dict[str, Any]]] = field(default_factory=dict)
    files: Iterable[FileEntry] = ()


@dataclass(frozen=True)
class Provider:
    service: str
    export: Callable[[Any], PersonalData]


def providers() -> list[Provider]:
    """The ``export(person)`` of every app that has a ``personal_data`` module."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("preau."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.personal_data")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.personal_data":
                raise
            continue
        found.append(Provider(service=config.label, export=module.export))
    return found


def rows(queryset: Any) -> Iterable[dict[str, Any]]:
    """The rows of a ``values()`` queryset, read in chunks when the archive gets to them."""
    yield from queryset.iterator(chunk_size=500)


def safe_name(name: str) -> str:
    """A file name that cannot climb out of its folder in the archive."""
    cleaned = name.replace("/", "-").replace("\\", "-").strip().lstrip(".")
    return cleaned or "fichier"
