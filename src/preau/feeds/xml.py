"""Reading a file of the AAF feed as a stream of records, refusing hostile or broken XML.

A file is ``<ficAlimMENESR>`` holding ``addRequest``, ``modifyRequest`` and ``deleteRequest``
elements. Each record is read, turned into a plain :class:`Record`, then its element is cleared
and dropped: memory stays constant whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _
from lxml import etree

ROOT = "ficAlimMENESR"
OPERATIONS = {"addRequest": "add", "modifyRequest": "modify", "deleteRequest": "delete"}


class FeedError(Exception):
    """A file is refused; the message names the file and the element (and its line)."""


@dataclass
class Record:
    operation: str  # add, modify or delete
    identifier: str
    line: int
    # attribute name -> values; for a modify, only the attributes it replaces
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        values = self.attributes.get(name) or []
        return values[0] if values else ""

    def where(self, file_name: str) -> str:
        return _("%(file)s, ligne %(line)s (<%(element)s> %(id)s)") % {
            "file": file_name,
            "line": self.line,
            "element": {v: k for k, v in OPERATIONS.items()}[self.operation],
            "id": self.identifier,
        }


def _values(element: etree._Element) -> list[str]:
    values = []
    for value in element:
        if value.tag == "value" and value.text and value.text.strip():
            values.append(value.text.strip())
    return values


def _record(element: etree._Element, file_name: str) -> Record:
    operation = OPERATIONS[element.tag]
    identifier = (element.findtext("identifier/id") or "").strip()
    if not identifier:
        raise FeedError(
            _("%(file)s, ligne %(line)s : <%(element)s> sans <identifier><id>.")
            % {"file": file_name, "line": element.sourceline, "element": element.tag}
        )
    record = Record(operation, identifier, element.sourceline or 0)
    for attr in element.iterfind("attributes/attr"):
        record.attributes[attr.get("name", "")] = _values(attr)
    for change in element.iterfind("modifications/modification"):
        if change.get("operation", "replace") != "replace":
            raise FeedError(
                _(
                    "%(where)s : seules les modifications « replace » sont prises en charge "
                    "(attribut %(name)s)."
                )
                % {"where": record.where(file_name), "name": change.get("name", "")}
            )
        record.attributes[change.get("name", "")] = _values(change)
    return record


def read_records(
    stream: BinaryIO, file_name: str, on_progress: Callable[[], None] | None = None
) -> Iterator[Record]:
    """The records of one file, in order. Raises FeedError for anything but a plain AAF file."""
    parser = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,  # no entity is ever expanded (billion laughs)
        no_network=True,  # no external entity or DTD fetched
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    try:
        for event, element in parser:
            if event == "start":
                if depth == 0:
                    # The feed never has a DOCTYPE: one can only declare entities or fetch a DTD.
                    if element.getroottree().docinfo.doctype:
                        raise FeedError(
                            _("%(file)s : une déclaration DOCTYPE est refusée.")
                            % {"file": file_name}
                        )
                    if element.tag != ROOT:
                        raise FeedError(
                            _("%(file)s, ligne %(line)s : l'élément racine doit être <%(root)s>.")
                            % {"file": file_name, "line": element.sourceline, "root": ROOT}
                        )
                depth += 1
                continue
            depth -= 1
            if depth != 1:
                continue
            if not isinstance(element.tag, str):
                continue
            if element.tag not in OPERATIONS:
                raise FeedError(
                    _("%(file)s, ligne %(line)s : élément <%(element)s> inattendu.")
                    % {"file": file_name, "line": element.sourceline, "element": element.tag}
                )
            if any(isinstance(node, etree._Entity) for node in element.iter()):
                raise FeedError(
                    _("%(file)s, ligne %(line)s : les entités XML sont refusées.")
                    % {"file": file_name, "line": element.sourceline}
                )
            record = _record(element, file_name)
            # Drop what was read: the element and every earlier sibling.
            element.clear(keep_tail=False)
            parent = element.getparent()
            while element.getprevious() is not None:
                del parent[0]
            if on_progress is not None:
                on_progress()
            yield record
    except etree.XMLSyntaxError as error:
        line = error.lineno or (error.position[0] if error.position else 0) or "?"
        raise FeedError(
            _("%(file)s, ligne %(line)s : XML invalide (%(message)s).")
            % {"file": file_name, "line": line, "message": error.msg}
        ) from error
