"""The refusals of the drive's actions: each a ValidationError with a French message and a code,
so that forms show them as they are and other callers (WebDAV) map them to their own answers:
``QuotaExceeded`` (507 Insufficient Storage), ``FileTooLarge`` (413), ``FileTypeRefused`` (415),
``NameConflict`` (409 or 412), ``InvalidName`` and ``InvalidMove`` (400 or 409).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class DriveError(ValidationError):
    code_name = "drive"

    def __init__(self, message: Any, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=self.code_name, params=params)

    @property
    def text(self) -> str:
        """The message with its parameters, in the active language."""
        return str(self.message) % self.params if self.params else str(self.message)


class QuotaExceeded(DriveError):
    code_name = "quota"


class FileTooLarge(DriveError):
    code_name = "file_size"


class FileTypeRefused(DriveError):
    code_name = "file_type"


class NameConflict(DriveError):
    code_name = "name_conflict"


class InvalidName(DriveError):
    code_name = "name"


class InvalidMove(DriveError):
    code_name = "move"
