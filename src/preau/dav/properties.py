"""Dead properties (PROPPATCH) in the database, by person and path: the interface of
WsgiDAV's ``PropertyManager``. They follow their resource when a client copies or moves it
through WebDAV, and go when it deletes it.

A PROPFIND lists the properties of every member of a folder: they are read together, by the
folder they are in (one query a listing, whatever its size), and kept for the request.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from wsgidav import util

from preau.dav import namespace
from preau.dav.models import DavProperty


def _parent(path: str) -> str:
    return util.get_uri_parent(path) or ""


def _at_or_below(path: str) -> Q:
    return Q(path=path) | Q(path__startswith=namespace.children_of(path))


class DatabasePropertyManager:
    def __repr__(self) -> str:
        return "DatabasePropertyManager"

    def _rows(self) -> Any:
        return DavProperty.objects.filter(person=namespace.current().person)

    def _of(self, norm_url: str) -> dict[str, bytes]:
        """The properties of ``norm_url``, read with those of its siblings."""
        memo = namespace.current().memo.setdefault("properties", {})
        parent = _parent(norm_url)
        if parent not in memo:
            table: dict[str, dict[str, bytes]] = {}
            rows = self._rows().filter(parent=parent).values_list("path", "name", "value")
            for path, name, value in rows:
                table.setdefault(path, {})[name] = bytes(value)
            memo[parent] = table
        return memo[parent].get(norm_url, {})

    def _changed(self) -> None:
        namespace.current().memo.pop("properties", None)

    def get_properties(self, norm_url: str, environ: Any = None) -> list[str]:
        return list(self._of(norm_url))

    def get_property(self, norm_url: str, name: str, environ: Any = None) -> bytes | None:
        return self._of(norm_url).get(name)

    def write_property(
        self,
        norm_url: str,
        name: str,
        property_value: bytes,
        dry_run: bool = False,
        environ: Any = None,
    ) -> None:
        if dry_run:
            return
        current = namespace.current()
        establishment = current.establishment_for(norm_url)
        if establishment is None:
            return
        DavProperty.objects.update_or_create(
            person=current.person,
            path=norm_url,
            name=name,
            defaults={
                "value": bytes(property_value),
                "parent": _parent(norm_url),
                "establishment": establishment,
            },
        )
        self._changed()

    def remove_property(
        self, norm_url: str, name: str, dry_run: bool = False, environ: Any = None
    ) -> None:
        if not dry_run:
            self._rows().filter(path=norm_url, name=name).delete()
            self._changed()

    def remove_properties(self, norm_url: str, environ: Any = None) -> None:
        """Forget the properties of a deleted resource and of everything below it."""
        self._rows().filter(_at_or_below(norm_url.rstrip("/") or "/")).delete()
        self._changed()

    def copy_properties(self, src_url: str, dest_url: str, environ: Any = None) -> None:
        current = namespace.current()
        establishment = current.establishment_for(dest_url)
        if establishment is None:
            return
        rows = list(self._rows().filter(path=src_url))
        with transaction.atomic():
            self._rows().filter(path=dest_url).delete()
            DavProperty.objects.bulk_create(
                DavProperty(
                    establishment=establishment,
                    person=current.person,
                    path=dest_url,
                    parent=_parent(dest_url),
                    name=row.name,
                    value=row.value,
                )
                for row in rows
            )
        self._changed()

    def move_properties(
        self, src_url: str, dest_url: str, with_children: bool, environ: Any = None
    ) -> None:
        src, dest = src_url.rstrip("/"), dest_url.rstrip("/")
        with transaction.atomic():
            self._rows().filter(_at_or_below(dest)).delete()
            self._rows().filter(path=src_url).update(path=dest_url, parent=_parent(dest_url))
            if with_children:
                below = self._rows().filter(path__startswith=namespace.children_of(src))
                below.update(
                    path=Concat(Value(dest), Substr("path", len(src) + 1)),
                    parent=Concat(Value(dest), Substr("parent", len(src) + 1)),
                )
        self._changed()
