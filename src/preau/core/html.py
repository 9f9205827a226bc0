"""HTML written by people (message bodies, news posts), made safe before it is stored.

A small set of tags is kept (paragraphs, emphasis, lists, quotes, links to http, https and
mailto; headings where the caller allows them); anything else is dropped, scripts and styles
with their content. Text that is not HTML is plain text: its blank lines make paragraphs.
"""

from __future__ import annotations

import functools
import re

import nh3
from django.utils.html import linebreaks

TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
HEADINGS = frozenset({"h3", "h4"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@functools.cache
def _cleaner(allow_headings: bool, link_rel: str) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(TAGS | HEADINGS) if allow_headings else set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        url_schemes=set(LINK_SCHEMES),
        url_relative="deny",
        link_rel=link_rel,
    )


def sanitise_html(
    text: str,
    *,
    allow_headings: bool,
    link_rel: str = "noopener noreferrer",
) -> str:
    """The text as safe HTML: only the allowed tags, links to http, https and mailto only.

    ``allow_headings`` keeps h3 and h4; ``link_rel`` is the ``rel`` given to every link. Text
    without any tag (« 2 < 3 » included) is plain text, made into paragraphs.
    """
    text = (text or "").strip()
    if HTML_TAG.search(text) is None:
        text = linebreaks(text)
    return _cleaner(allow_headings, link_rel).clean(text).strip()
