"""Checks of uploaded files, run before anything is stored.

The size comes first (without reading), then the content. An attachment needs an allowed
extension AND the matching signature in its first bytes (office documents: the inner layout of
their ZIP container); it is kept as it came. An image must be PNG, JPEG or WebP as Pillow reads
it, and is re-encoded (metadata dropped). Each caller chooses its limits and, where its wording
differs, its messages.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MIB = 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, ready to be stored."""

    content: bytes
    original_name: str
    extension: str
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class Refusal:
    """A French error message, its code and parameters: a fresh ValidationError each time."""

    message: Any
    code: str | None = None
    params: dict[str, Any] | None = None

    def error(self) -> ValidationError:
        return ValidationError(self.message, code=self.code, params=self.params)


def clean_filename(name: str) -> str:
    """The name shown and offered for download: no folders, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 199 - len(extension)]}.{extension}" if dot else name[:200]
    return name or "fichier"


# -- attachments ---------------------------------------------------------------------------------
def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def _starts(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda data: any(data.startswith(s) for s in signatures)


def _webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _ooxml(folder: str) -> Callable[[bytes], bool]:
    """Office Open XML: a ZIP holding [Content_Types].xml and the document's folder."""

    def check(data: bytes) -> bool:
        names = _zip_names(data) if data.startswith(ZIP_SIGNATURE) else []
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _opendocument(mimetype: str) -> Callable[[bytes], bool]:
    """OpenDocument: a ZIP whose « mimetype » entry names the document type."""

    def check(data: bytes) -> bool:
        if not data.startswith(ZIP_SIGNATURE):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return archive.read("mimetype").strip() == mimetype.encode()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return False

    return check


def _opendocument_first_entry(data: bytes, mimetype: str) -> bool:
    """OpenDocument read from the ZIP's first local header: a « mimetype » entry, stored."""
    # Local file header: 30 bytes, then the name, the extra field and the stored content.
    if not data.startswith(ZIP_SIGNATURE) or len(data) < 30:
        return False
    expected = mimetype.encode()
    name_length = int.from_bytes(data[26:28], "little")
    extra_length = int.from_bytes(data[28:30], "little")
    start = 30 + name_length + extra_length
    return (
        data[30 : 30 + name_length] == b"mimetype"
        and data[start : start + len(expected)] == expected
    )


class FileType(NamedTuple):
    content_type: str  # as served
    matches: Callable[[bytes], bool]  # the check of the content


ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
OPENDOCUMENT = {"odt": ODT, "ods": ODS, "odp": ODP}
OOXML = "application/vnd.openxmlformats-officedocument."

# Every attachment extension known; each caller allows some of them.
FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", _starts(b"%PDF-")),
    "png": FileType("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    "jpg": FileType("image/jpeg", _starts(b"\xff\xd8\xff")),
    "jpeg": FileType("image/jpeg", _starts(b"\xff\xd8\xff")),
    "gif": FileType("image/gif", _starts(b"GIF87a", b"GIF89a")),
    "webp": FileType("image/webp", _webp),
    "docx": FileType(OOXML + "wordprocessingml.document", _ooxml("word/")),
    "xlsx": FileType(OOXML + "spreadsheetml.sheet", _ooxml("xl/")),
    "pptx": FileType(OOXML + "presentationml.presentation", _ooxml("ppt/")),
    **{ext: FileType(mimetype, _opendocument(mimetype)) for ext, mimetype in OPENDOCUMENT.items()},
}


def _content_matches(extension: str, data: bytes, *, mimetype_first: bool) -> bool:
    if mimetype_first and extension in OPENDOCUMENT:
        return _opendocument_first_entry(data, OPENDOCUMENT[extension])
    return FILE_TYPES[extension].matches(data)


def check_attachment(
    upload: Any,
    *,
    extensions: Collection[str],
    max_bytes: int,
    refused_message: Any,
    mimetype_first: bool = False,
) -> CheckedFile:
    """The upload as it came, once its size, extension and content agree; else a French error.

    ``extensions`` are those of FILE_TYPES the caller accepts, ``refused_message`` (with a
    ``name`` parameter) names them. With ``mimetype_first``, an OpenDocument file must open
    with its « mimetype » entry, stored as is; else any readable « mimetype » entry will do.
    """
    name = clean_filename(upload.name or "")
    if upload.size > max_bytes:
        raise ValidationError(
            _("« %(name)s » dépasse %(size)s Mo."),
            code="attachment_size",
            params={"name": name, "size": max_bytes // MIB},
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    known = FILE_TYPES.get(extension) if extension in extensions else None
    data = upload.read() if known else b""
    if known is None or not _content_matches(extension, data, mimetype_first=mimetype_first):
        raise ValidationError(refused_message, code="attachment_type", params={"name": name})
    return CheckedFile(data, name, "jpg" if extension == "jpeg" else extension, known.content_type)


# -- images --------------------------------------------------------------------------------------
# Pillow format name → (file extension, content type). Anything else (SVG, GIF, TIFF…) is refused.
IMAGE_FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}


def check_image(
    upload: Any,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int | None = None,
    too_big: Refusal,
    refused: Refusal,
    too_many_pixels: Refusal,
) -> CheckedFile:
    """The upload re-encoded by Pillow (metadata dropped, no side over ``max_side`` when given).

    The content decides, not the name or the declared type: only PNG, JPEG and WebP pass.
    """
    if upload.size > max_bytes:
        raise too_big.error()
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
        if image_format not in IMAGE_FORMATS:
            raise refused.error()
        if width * height > max_pixels:
            raise too_many_pixels.error()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            if max_side is not None:
                image.thumbnail((max_side, max_side))
            output = io.BytesIO()
            image.save(output, format=image_format)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise refused.error() from exc
    extension, content_type = IMAGE_FORMATS[image_format]
    return CheckedFile(
        output.getvalue(), clean_filename(upload.name or ""), extension, content_type
    )


# -- form field ----------------------------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
