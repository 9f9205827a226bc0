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

from django.utils.translation import gettext_lazy as _

from preau.core import html as core_html
from preau.core import uploads
from preau.core.uploads import CheckedFile

ATTACHMENT_EXTENSIONS = frozenset(uploads.FILE_TYPES)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_MESSAGE = 10


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
