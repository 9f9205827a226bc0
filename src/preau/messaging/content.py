"""What a message may contain: sanitised HTML, and attachments checked before they are stored.

The body keeps a small set of tags (paragraphs, emphasis, lists, quotes, links to http, https
and mailto); anything else is dropped, scripts and styles with their content. An attachment
needs an allowed extension AND the matching signature in its first bytes (office documents:
the inner layout of their ZIP container), and at most 10 MiB.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"}
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="noopener noreferrer",
)

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_MESSAGE = 10


def sanitise_html(text: str) -> str:
    """The body as safe HTML. Text without any tag is plain text: blank lines make paragraphs."""
    text = (text or "").strip()
    if "<" not in text:
        text = linebreaks(text)
    return _cleaner.clean(text).strip()


def editable_text(body: str) -> str:
    """A stored body as its author would edit it: plain text when it is only paragraphs and
    line breaks (what sanitise_html made of plain text), else the HTML itself."""
    text = re.sub(r"</p>\s*<p>", "\n\n", body.strip())
    text = re.sub(r"<br\s*/?>\n?", "\n", text)
    text = text.removeprefix("<p>").removesuffix("</p>")
    return body if "<" in text else html.unescape(text)


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


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def _starts(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda data: any(data.startswith(s) for s in signatures)


def _ooxml(folder: str) -> Callable[[bytes], bool]:
    """Office Open XML: a ZIP holding [Content_Types].xml and the document's folder."""

    def check(data: bytes) -> bool:
        names = _zip_names(data) if data.startswith(b"PK\x03\x04") else []
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _opendocument(mimetype: str) -> Callable[[bytes], bool]:
    """OpenDocument: a ZIP whose « mimetype » entry names the document type."""

    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return archive.read("mimetype").strip() == mimetype.encode()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return False

    return check


def _webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
OOXML = "application/vnd.openxmlformats-officedocument."

# Extension → (content type served, check of the first bytes).
FILE_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "pdf": ("application/pdf", _starts(b"%PDF-")),
    "png": ("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    "gif": ("image/gif", _starts(b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", _webp),
    "docx": (OOXML + "wordprocessingml.document", _ooxml("word/")),
    "xlsx": (OOXML + "spreadsheetml.sheet", _ooxml("xl/")),
    "pptx": (OOXML + "presentationml.presentation", _ooxml("ppt/")),
    "odt": (ODT, _opendocument(ODT)),
    "ods": (ODS, _opendocument(ODS)),
    "odp": (ODP, _opendocument(ODP)),
}


def clean_filename(name: str) -> str:
    """The name shown and offered for download: no folders, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 199 - len(extension)]}.{extension}" if dot else name[:200]
    return name or "fichier"


def check_attachment(upload: Any) -> CheckedFile:
    """The upload as it came once its size, extension and content agree; else a French error."""
    name = clean_filename(upload.name or "")
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("« %(name)s » dépasse %(size)s Mo."),
            code="attachment_size",
            params={"name": name, "size": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    known = FILE_TYPES.get(extension)
    data = upload.read() if known else b""
    if known is None or not known[1](data):
        raise ValidationError(
            _(
                "« %(name)s » n'est pas accepté : seuls les PDF, les images (PNG, JPEG, GIF, "
                "WebP) et les documents bureautiques (docx, xlsx, pptx, odt, ods, odp) le sont."
            ),
            code="attachment_type",
            params={"name": name},
        )
    return CheckedFile(data, name, "jpg" if extension == "jpeg" else extension, known[0])
