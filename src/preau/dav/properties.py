"""Dead properties (PROPPATCH) in the database, by person and path: the interface of
WsgiDAV's ``PropertyManager``. They follow their resource when a client copies or moves it
through WebDAV, and go when it deletes it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr

from preau.dav import namespace
from preau.dav.models import DavProperty


def _at_or_below(path: str) -> Q:
    return Q(path=path) | Q(path__startswith=namespace.children_of(path))


class DatabasePropertyManager:
    def __repr__(self) -> str:
        return "DatabasePropertyManager"

    def _rows(self) -> Any:
        return DavProperty.objects.filter(person=namespace.current().person)

    def get_properties(self, norm_url: str, environ: Any = None) -> list[str]:
        return list(self._rows().filter(path=norm_url).values_list("name", flat=True))

    def get_property(self, norm_url: str, name: str, environ: Any = None) -> bytes | None:
        value = self._rows().filter(path=norm_url, name=name).values_list("value", flat=True)
        found = value.first()
        return bytes(found) if found is not None else None

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
            defaults={"value": bytes(property_value), "establishment": establishment},
        )

    def remove_property(
        self, norm_url: str, name: str, dry_run: bool = False, environ: Any = None
    ) -> None:
        if not dry_run:
            self._rows().filter(path=norm_url, name=name).delete()

    def remove_properties(self, norm_url: str, environ: Any = None) -> None:
        """Forget the properties of a deleted resource and of everything below it."""
        self._rows().filter(_at_or_below(norm_url.rstrip("/") or "/")).delete()

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
                    name=row.name,
                    value=row.value,
                )
                for row in rows
            )

    def move_properties(
        self, src_url: str, dest_url: str, with_children: bool, environ: Any = None
    ) -> None:
        src, dest = src_url.rstrip("/"), dest_url.rstrip("/")
        with transaction.atomic():
            self._rows().filter(_at_or_below(dest)).delete()
            rows = self._rows().filter(_at_or_below(src) if with_children else Q(path=src_url))
            rows.update(path=Concat(Value(dest), Substr("path", len(src) + 1)))
