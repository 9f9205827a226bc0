"""An upload handler that stops reading a request that cannot fit.

Placed before Django's own handlers on the upload view: when the declared length of the request
already exceeds what the space's quota leaves, nothing is read at all; while the files stream in,
one that passes the largest file allowed or what is left of the quota is skipped at once (its
remaining bytes are discarded, never written to disk) and noted, so that the page names it.
What it lets through is written by Django's handlers to a temporary file on disk by chunks, then
checked again by the actions.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

# Room for the form's other fields and the multipart boundaries around the files.
FORM_OVERHEAD = 64 * 1024


class DriveUploadHandler(FileUploadHandler):
    def __init__(self, request: Any, *, max_file_bytes: int, remaining_bytes: int) -> None:
        super().__init__(request)
        self.max_file_bytes = max_file_bytes
        self.remaining_bytes = remaining_bytes
        self.refused: list[tuple[str, str]] = []  # (file name, "size" or "quota")
        self.request_too_big = False
        self._file_bytes = 0
        self._total_bytes = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: Any = None,
    ) -> tuple[QueryDict, MultiValueDict] | None:
        if content_length > self.remaining_bytes + FORM_OVERHEAD:
            # An answer here ends the parsing: the body is left unread.
            self.request_too_big = True
            return QueryDict(), MultiValueDict()
        return None

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._file_bytes = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._file_bytes += len(raw_data)
        if self._file_bytes > self.max_file_bytes:
            self._refuse("size")
        if self._total_bytes + self._file_bytes > self.remaining_bytes:
            self._refuse("quota")
        return raw_data

    def _refuse(self, reason: str) -> None:
        self.refused.append((self.file_name, reason))
        self._file_bytes = 0
        raise SkipFile

    def file_complete(self, file_size: int) -> None:
        self._total_bytes += file_size
        return None
