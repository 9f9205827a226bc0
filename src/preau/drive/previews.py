"""Image thumbnails, made on first view and kept in the storage beside the image."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from preau.drive import storage
from preau.drive.models import Node

SIDE = 320
MAX_PIXELS = 40_000_000
TEXT_PREVIEW_BYTES = 64 * 1024


def thumbnail(node: Node) -> str | None:
    """The storage name of the node's thumbnail (a WebP at most 320 pixels a side), or None
    when the image cannot be read or is too large to decode."""
    name = storage.thumbnail_name(node.blob)
    if default_storage.exists(name):
        return name
    try:
        with storage.open_blob(node.blob) as source, Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.thumbnail((SIDE, SIDE))
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            output = io.BytesIO()
            image.save(output, format="WEBP", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(output.getvalue()))


def text_excerpt(node: Node) -> tuple[str, bool]:
    """The first 64 KiB of a text file, decoded (UTF-8, else Latin-1), and whether it goes on."""
    with storage.open_blob(node.blob) as source:
        data = source.read(TEXT_PREVIEW_BYTES + 1)
    more = len(data) > TEXT_PREVIEW_BYTES
    data = data[:TEXT_PREVIEW_BYTES]
    # The cut may fall inside a character: up to 3 bytes are dropped to find its start.
    for drop in range(4):
        text = _decoded(data[: len(data) - drop] if drop else data)
        if text is not None:
            return text, more
    return data.decode("latin-1"), more


def _decoded(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
