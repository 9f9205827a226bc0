"""A ZIP of every hand-in of a drop box, written while it is sent.

The standard library's zipfile writes to a stream it cannot seek (each entry followed by a
data descriptor); each file is read from the storage in chunks, so neither a file nor the
archive is ever held whole in memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone


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


def _entry_name(student: Any, position: int, filename: str) -> str:
    folder = f"{student.last_name} {student.first_name}".strip() or student.username
    folder = folder.replace("/", "-").replace("\\", "-")
    return f"{folder}/{position}-{filename}"


def stream_zip(files: Iterable[Any]) -> Iterator[bytes]:
    """The archive of these handed-in files (``SubmissionFile`` rows), by student folder."""
    sink = _Sink()
    positions: dict[int, int] = {}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for row in files:
            student = row.submission.student
            positions[student.pk] = positions.get(student.pk, 0) + 1
            moment = timezone.localtime(row.created_at)
            info = zipfile.ZipInfo(
                _entry_name(student, positions[student.pk], row.original_name),
                date_time=moment.timetuple()[:6],
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            with row.file.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                for chunk in source.chunks():
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
