"""Whose tree a WebDAV request walks: the person, and which establishment each top folder of
``/dav/`` stands for.

The locks and the dead properties are stored by path, and two people see different trees under
the same paths; their storage reads the person of the request from here. The bridge sets it
around every step of the protocol layer (see views.py), also while a response streams.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from preau.directory.models import Establishment


@dataclass
class Namespace:
    person: Any
    # Top folder name under /dav/ → the establishment it opens.
    folders: dict[str, Establishment] = field(default_factory=dict)
    # What the lock storage and the property manager read once per request.
    memo: dict[str, Any] = field(default_factory=dict)

    def establishment_for(self, path: str) -> Establishment | None:
        """The establishment a path leads into (« /Coll%C3%A8ge%20X/Mes%20fichiers/a.txt »,
        quoted or not)."""
        top = unicodedata.normalize("NFC", unquote(path).strip("/").split("/", 1)[0])
        return self.folders.get(top)


_current: ContextVar[Namespace | None] = ContextVar("preau_dav_namespace", default=None)


def current() -> Namespace:
    namespace = _current.get()
    if namespace is None:
        raise RuntimeError("No WebDAV request is being served.")
    return namespace


@contextmanager
def serving(namespace: Namespace) -> Iterator[None]:
    token = _current.set(namespace)
    try:
        yield
    finally:
        _current.reset(token)


def children_of(path: str) -> str:
    """The prefix of the paths below ``path`` (for startswith filters)."""
    return path.rstrip("/") + "/"
