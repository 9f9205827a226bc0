"""The archive of a person's data, written while it is sent.

Each provider's records go to ``<service>/<name>.json`` (a JSON array written one record at a
time) and its files under ``<service>/…``, read from the storage in chunks; ``LISEZMOI.txt`` and
``index.json`` describe the archive. zipfile writes to a stream it cannot seek (each entry
followed by a data descriptor), so neither a file, a service's records nor the archive is
ever held whole in memory.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.privacy.registry import Provider, providers

# Records written between two hand-overs to the response: small enough to bound memory.
RECORDS_PER_FLUSH = 200


class _Sink:
    """Collects what zipfile writes until the response takes it."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _info(name: str, moment: datetime | None) -> zipfile.ZipInfo:
    local = timezone.localtime(moment or timezone.now())
    info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _dump(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def _readme(person: Any) -> str:
    return _(
        "Données personnelles de %(name)s (%(username)s), exportées le %(date)s.\n\n"
        "Chaque dossier correspond à un service du portail. Les fichiers .json contiennent vos "
        "données (format JSON, lisible par tout éditeur de texte ou tableur) ; les autres "
        "fichiers sont vos documents, tels que vous les avez déposés.\n"
        "index.json liste les services et le nombre d'éléments de chaque fichier.\n"
    ) % {
        "name": person.get_full_name() or person.username,
        "username": person.username,
        "date": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
    }


def stream_export(person: Any, sources: list[Provider] | None = None) -> Iterator[bytes]:
    """The ZIP of everything the providers hold about ``person``, in chunks."""
    sink = _Sink()
    now = timezone.now()
    index: dict[str, Any] = {"personne": str(person.public_id), "genere_le": now, "services": {}}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(_info("LISEZMOI.txt", now), _readme(person))
        for provider in sources if sources is not None else providers():
            data = provider.export(person)
            counts: dict[str, int] = {}
            for name, records in data.records.items():
                path = f"{provider.service}/{name}.json"
                count = 0
                with archive.open(_info(path, now), "w", force_zip64=True) as target:
                    target.write(b"[")
                    for record in records:
                        target.write(b",\n" if count else b"\n")
                        target.write(_dump(record))
                        count += 1
                        if count % RECORDS_PER_FLUSH == 0:
                            yield sink.take()
                    target.write(b"\n]\n")
                counts[f"{name}.json"] = count
                yield sink.take()
            files = 0
            missing: list[str] = []
            for entry in data.files:
                path = f"{provider.service}/{entry.name}"
                try:
                    source = entry.open()
                except OSError:
                    # A file lost by the storage must not cut the whole archive short: it is
                    # named in the index instead.
                    missing.append(path)
                    continue
                with (
                    source,
                    archive.open(_info(path, entry.modified), "w", force_zip64=True) as target,
                ):
                    while chunk := source.read(64 * 1024):
                        target.write(chunk)
                        yield sink.take()
                files += 1
                yield sink.take()
            index["services"][provider.service] = {
                "fichiers_json": counts,
                "documents": files,
                "documents_introuvables": missing,
            }
        archive.writestr(_info("index.json", now), _dump(index))
    yield sink.take()
