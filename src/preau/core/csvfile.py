"""Reading the CSV files people export from a spreadsheet.

Excel in France writes Windows-1252 with « ; » between cells, LibreOffice and other tools UTF-8
(sometimes with a byte order mark) with « , ». A file is decoded as UTF-8 first, then as
Windows-1252; the separator is the one of « ; » and « , » that splits the header line more.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _


class UnreadableFile(ValueError):
    """The bytes are not a text file in an encoding a spreadsheet writes; ``str`` says why."""


def decode(raw: bytes) -> str:
    """The text of ``raw``: UTF-8 (with or without BOM), else Windows-1252; UnreadableFile."""
    if b"\x00" in raw[:4096]:
        # UTF-16 (Excel's « Texte Unicode ») or a binary file: both put NUL bytes in the text.
        raise UnreadableFile(
            _(
                "Ce fichier n'est pas un CSV lisible (UTF-16 ou fichier binaire) : enregistrez-le "
                "depuis le tableur au format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) »."
            )
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        _(
            "L'encodage du fichier n'est ni UTF-8 ni Windows-1252 : enregistrez-le depuis le "
            "tableur au format « CSV UTF-8 »."
        )
    )


def separator(text: str) -> str:
    """« ; » or « , »: whichever appears more often in the first line (« ; » when equal)."""
    first = text.split("\n", 1)[0]
    return "," if first.count(",") > first.count(";") else ";"


def read_rows(text: str) -> list[list[str]]:
    """Every line of ``text`` as a list of cells stripped of spaces (quotes understood)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))
    return [[cell.strip() for cell in row] for row in reader]
