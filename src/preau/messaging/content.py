"""What a message may contain: sanitised HTML, and attachments checked before they are stored.

The body keeps a small set of tags (paragraphs, emphasis, lists, quotes, links to http, https
and mailto); anything else is dropped, scripts and styles with their content. An attachment
needs an allowed extension AND the matching signature in its first bytes (office documents:
the inner layout of their ZIP container), and at most 10 MiB. The checks themselves are shared
(core/html.py, core/uploads.py); this module holds the choices of the messaging.
"""

from __future__ import annotations

import html
import re
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from preau.core import html as core_html
from preau.core import uploads
from preau.core.uploads import CheckedFile

ATTACHMENT_EXTENSIONS = frozenset(uploads.FILE_TYPES)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_MESSAGE = 10
# How many of the author's latest drive files the compose form offers to attach.
DRIVE_FILES_OFFERED = 30


def sanitise_html(text: str) -> str:
    """The body as safe HTML. Text without any « < » is plain text: blank lines make paragraphs."""
    return core_html.sanitise_html(text, allow_headings=False)


def editable_text(body: str) -> str:
    """A stored body as its author would edit it: plain text when it is only paragraphs and
    line breaks (what sanitise_html made of plain text), else the HTML itself."""
    text = re.sub(r"</p>\s*<p>", "\n\n", body.strip())
    text = re.sub(r"<br\s*/?>\n?", "\n", text)
    text = text.removeprefix("<p>").removesuffix("</p>")
    return body if "<" in text else html.unescape(text)


def check_attachment(upload: Any) -> CheckedFile:
    """The upload as it came once its size, extension and content agree; else a French error."""
    return uploads.check_attachment(
        upload,
        extensions=ATTACHMENT_EXTENSIONS,
        max_bytes=ATTACHMENT_MAX_BYTES,
        refused_message=_(
            "« %(name)s » n'est pas accepté : seuls les PDF, les images (PNG, JPEG, GIF, "
            "WebP) et les documents bureautiques (docx, xlsx, pptx, odt, ods, odp) le sont."
        ),
    )


def attachable_drive_files(actor: Any) -> list[Any]:
    """The author's latest files of their own drive that a message may carry (by size and
    extension; the content is checked again when attached). Files shared with the author are
    not offered: forwarding someone else's document is the owner's decision."""
    from preau.drive.models import NodeKind
    from preau.drive.policies import visible_nodes
    from preau.portal.selectors import is_service_enabled

    if actor.establishment is None or not is_service_enabled(actor.establishment, "drive"):
        return []
    extensions = Q()
    for extension in sorted(ATTACHMENT_EXTENSIONS):
        extensions |= Q(name__iendswith=f".{extension}")
    return list(
        visible_nodes(actor)
        .filter(extensions, kind=NodeKind.FILE, trashed_at__isnull=True)
        .filter(size__lte=ATTACHMENT_MAX_BYTES)
        .order_by("-modified_at", "-id")[:DRIVE_FILES_OFFERED]
    )


def check_drive_file(node: Any) -> CheckedFile:
    """A drive file as a message attachment: a copy, checked like an upload."""
    from preau.drive.storage import open_blob

    with open_blob(node.blob) as stored:
        data = stored.read(ATTACHMENT_MAX_BYTES + 1)
    return check_attachment(ContentFile(data, name=node.name))
