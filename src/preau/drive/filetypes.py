"""Which files the drive holds, checked by extension AND content before anything is stored.

A drive holds documents, images, PDFs, office files, plain text, audio and video. Everything
else is refused, executables, scripts, archives (which hide them) and HTML or SVG (which would
run in the portal's origin if a browser rendered them) first of all.

The checks read a file's first bytes, and for office files the directory of their ZIP container
from the file on disk (never the whole file in memory): a 200 MB presentation costs the same as
a small one. The signatures of PDF, images and office formats are those of preau.core.uploads.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import IO, NamedTuple

from preau.core.uploads import FILE_TYPES, OOXML, OPENDOCUMENT

HEAD_BYTES = 8192


class DriveType(NamedTuple):
    content_type: str
    label: str  # a short French word for the list (not translated: a format name)
    matches: Callable[[bytes, IO[bytes]], bool]
    # Shown by the browser itself (image, PDF viewer, media player); never HTML nor SVG.
    inline: bool = False


def _core(extension: str) -> Callable[[bytes, IO[bytes]], bool]:
    check = FILE_TYPES[extension].matches
    return lambda head, _file: check(head)


def _starts(*signatures: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, _file: any(head.startswith(s) for s in signatures)


def _zip_names(file: IO[bytes]) -> list[str]:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []
    finally:
        file.seek(0)


def _ooxml(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    def check(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(file)
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _opendocument(mimetype: str) -> Callable[[bytes, IO[bytes]], bool]:
    def check(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                return archive.read("mimetype").strip() == mimetype.encode()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
            return False
        finally:
            file.seek(0)

    return check


def _text(head: bytes, _file: IO[bytes]) -> bool:
    """Plain text: no NUL byte, and UTF-8 (or a legacy 8-bit encoding) without markup at the
    start that a lenient browser could take for HTML."""
    if b"\x00" in head:
        return False
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return not start.startswith((b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml"))


def _riff(kind: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, _file: head[:4] == b"RIFF" and head[8:12] == kind


def _iso_media(head: bytes, _file: IO[bytes]) -> bool:
    return head[4:8] == b"ftyp"


def _mp3(head: bytes, _file: IO[bytes]) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of Office 97-2003 documents

TYPES: dict[str, DriveType] = {
    "pdf": DriveType("application/pdf", "PDF", _core("pdf"), inline=True),
    "png": DriveType("image/png", "PNG", _core("png"), inline=True),
    "jpg": DriveType("image/jpeg", "JPEG", _core("jpg"), inline=True),
    "jpeg": DriveType("image/jpeg", "JPEG", _core("jpeg"), inline=True),
    "gif": DriveType("image/gif", "GIF", _core("gif"), inline=True),
    "webp": DriveType("image/webp", "WebP", _core("webp"), inline=True),
    "docx": DriveType(OOXML + "wordprocessingml.document", "Word", _ooxml("word/")),
    "xlsx": DriveType(OOXML + "spreadsheetml.sheet", "Excel", _ooxml("xl/")),
    "pptx": DriveType(OOXML + "presentationml.presentation", "PowerPoint", _ooxml("ppt/")),
    "odt": DriveType(OPENDOCUMENT["odt"], "Texte ODF", _opendocument(OPENDOCUMENT["odt"])),
    "ods": DriveType(OPENDOCUMENT["ods"], "Classeur ODF", _opendocument(OPENDOCUMENT["ods"])),
    "odp": DriveType(OPENDOCUMENT["odp"], "Présentation ODF", _opendocument(OPENDOCUMENT["odp"])),
    "doc": DriveType("application/msword", "Word 97", _starts(OLE)),
    "xls": DriveType("application/vnd.ms-excel", "Excel 97", _starts(OLE)),
    "ppt": DriveType("application/vnd.ms-powerpoint", "PowerPoint 97", _starts(OLE)),
    "txt": DriveType("text/plain", "Texte", _text),
    "csv": DriveType("text/csv", "CSV", _text),
    "md": DriveType("text/markdown", "Markdown", _text),
    "mp3": DriveType("audio/mpeg", "MP3", _mp3, inline=True),
    "ogg": DriveType("audio/ogg", "Ogg", _starts(b"OggS"), inline=True),
    "wav": DriveType("audio/wav", "WAV", _riff(b"WAVE"), inline=True),
    "m4a": DriveType("audio/mp4", "M4A", _iso_media, inline=True),
    "mp4": DriveType("video/mp4", "MP4", _iso_media, inline=True),
    "webm": DriveType("video/webm", "WebM", _starts(b"\x1a\x45\xdf\xa3"), inline=True),
}
ACCEPTED_EXTENSIONS = sorted(TYPES)
TEXT_TYPES = {"txt", "csv", "md"}
IMAGE_TYPES = {"png", "jpg", "jpeg", "gif", "webp"}
AUDIO_TYPES = {"mp3", "ogg", "wav", "m4a"}
VIDEO_TYPES = {"mp4", "webm"}


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def accepted_extension(name: str) -> bool:
    return extension_of(name) in TYPES


def detect(name: str, file: IO[bytes]) -> DriveType | None:
    """The type of a file named ``name`` whose content is ``file`` (seekable), or None when
    the extension is not accepted or the content does not match it."""
    known = TYPES.get(extension_of(name))
    if known is None:
        return None
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return known if known.matches(head, file) else None


def kind_of(extension: str) -> str:
    """How a file is previewed: image, pdf, audio, video, text or none."""
    if extension in IMAGE_TYPES:
        return "image"
    if extension == "pdf":
        return "pdf"
    if extension in AUDIO_TYPES:
        return "audio"
    if extension in VIDEO_TYPES:
        return "video"
    if extension in TEXT_TYPES:
        return "text"
    return "none"
