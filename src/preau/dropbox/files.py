"""Checks of handed-in files, run before anything is stored, without reading a file whole.

Work handed in can be large (a scanned notebook, a slideshow), so unlike news and messaging
attachments it is never held in memory: Django keeps any upload over
FILE_UPLOAD_MAX_MEMORY_SIZE in a temporary file, the size is checked first (without reading),
the content is judged from the first bytes (or, for office documents, from the ZIP
container's directory, read in place) against preau.core.uploads' table of types, and the
storage copies the file in chunks.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from preau.core import uploads

# Office documents are ZIP containers, judged by their content; the rest by their first bytes.
OOXML_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
EXTENSIONS = frozenset(uploads.FILE_TYPES) - {"gif"}
HEAD_BYTES = 64


def max_file_bytes() -> int:
    return settings.DROPBOX_MAX_FILE_BYTES


TYPE_REFUSED = _(
    "« %(name)s » n'est pas accepté : seuls les PDF, les images (PNG, JPEG, WebP) et les "
    "documents bureautiques (docx, xlsx, pptx, odt, ods, odp) le sont."
)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks; ``upload`` is copied to the storage in chunks."""

    upload: Any
    original_name: str
    extension: str
    content_type: str
    size: int


def _zip_matches(upload: Any, extension: str) -> bool:
    """The ZIP's directory (read in place, not decompressed) says it is this office type."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            if extension in OOXML_FOLDERS:
                names = archive.namelist()
                folder = OOXML_FOLDERS[extension]
                return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
            # OpenDocument: a first entry « mimetype », stored, naming the document type.
            first = archive.infolist()[0] if archive.infolist() else None
            if first is None or first.filename != "mimetype":
                return False
            with archive.open(first) as entry:
                return entry.read(100).strip() == uploads.OPENDOCUMENT[extension].encode()
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        return False


def check_upload(upload: Any) -> CheckedUpload:
    """The upload, once its size, extension and content agree; else a French error."""
    name = uploads.clean_filename(upload.name or "")
    limit = max_file_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("« %(name)s » dépasse %(size)s Mo."),
            code="attachment_size",
            params={"name": name, "size": limit // uploads.MIB},
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in EXTENSIONS or upload.size == 0:
        raise ValidationError(TYPE_REFUSED, code="attachment_type", params={"name": name})
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    if extension in OOXML_FOLDERS or extension in uploads.OPENDOCUMENT:
        matches = head.startswith(uploads.ZIP_SIGNATURE) and _zip_matches(upload, extension)
    else:
        matches = uploads.FILE_TYPES[extension].matches(head)
    upload.seek(0)
    if not matches:
        raise ValidationError(TYPE_REFUSED, code="attachment_type", params={"name": name})
    return CheckedUpload(
        upload=upload,
        original_name=name,
        extension="jpg" if extension == "jpeg" else extension,
        content_type=uploads.FILE_TYPES[extension].content_type,
        size=upload.size,
    )


def check_uploads(files: list[Any]) -> list[CheckedUpload]:
    """Every upload checked; all the refusals together in one error."""
    errors, checked = [], []
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked
