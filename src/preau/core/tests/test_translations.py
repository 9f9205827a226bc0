"""The English catalogue: complete, fully translated, compiled, and used by the pages.

French is the source language of every string; English must never fall behind. When one of
these tests fails after a French string was added or changed, run `make messages`, translate the
new entries of src/preau/locale/en/LC_MESSAGES/django.po and compile again.
"""

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

import preau

SOURCE = Path(preau.__file__).resolve().parent
PO_FILE = SOURCE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# The same options as `make messages`.
IGNORE = ["*/tests/*", "bench/*"]
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    plurals: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.plurals[n] for n in sorted(self.plurals)]


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    out: list[str] = []
    chars = iter(text[1:-1])
    for char in chars:
        out.append(ESCAPES[next(chars)] if char == "\\" else char)
    return "".join(out)


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (no header, no obsolete `#~` entries)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, keyword = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#"):
                entry.fuzzy |= line.startswith("#,") and "fuzzy" in line
                continue
            if not line.startswith('"'):
                keyword, _, line = line.partition(" ")
                if keyword.startswith("msgstr["):
                    entry.plurals[int(keyword[7:-1])] = ""
                else:
                    setattr(entry, keyword, "")
            value = _unquote(line)
            if keyword.startswith("msgstr["):
                entry.plurals[int(keyword[7:-1])] += value
            else:
                setattr(entry, keyword, getattr(entry, keyword) + value)
        if entry.msgid:
            entries.append(entry)
    return entries


def _msgfmt() -> str:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("GNU gettext is required to check the catalogue: apt-get install gettext")
    return msgfmt


def test_catalogue_has_no_fuzzy_or_untranslated_entry() -> None:
    entries = parse_po(PO_FILE)
    assert entries
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    empty = [e.msgid for e in entries if not all(e.translations)]
    assert not fuzzy, f"Fuzzy entries in {PO_FILE.name}: {fuzzy}"
    assert not empty, f"Untranslated entries in {PO_FILE.name}: {empty}"

    result = subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [_msgfmt(), "--check", "--statistics", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr
    assert "untranslated" not in result.stderr, result.stderr


def test_plural_forms_header() -> None:
    header = PO_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert '"Language: en\\n"' in header


def test_catalogue_holds_every_string_of_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    _msgfmt()
    copy = tmp_path / "preau"
    shutil.copytree(
        SOURCE,
        copy,
        ignore=shutil.ignore_patterns("locale", "tests", "bench", "__pycache__", "*.mo"),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages", locale=["en"], ignore_patterns=IGNORE, no_location=True, verbosity=0
    )

    extracted = {e.key: e for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    committed = {e.key for e in parse_po(PO_FILE)}
    missing = sorted(e.msgid for key, e in extracted.items() if key not in committed)
    stale = sorted(key[1] for key in committed - extracted.keys())
    assert not missing, (
        f"{len(missing)} French string(s) have no English translation; run `make messages` "
        f"and translate them:\n" + "\n".join(missing)
    )
    assert not stale, (
        f"{len(stale)} entr(y/ies) of the catalogue no longer appear in the code; run "
        f"`make messages`:\n" + "\n".join(stale)
    )


def test_compiled_catalogue_matches_the_po_file() -> None:
    assert MO_FILE.exists(), "Compile the catalogue: run `make messages`."
    mismatches = []
    with translation.override("en"):
        for entry in parse_po(PO_FILE):
            context, msgid, plural = entry.key
            if plural is None:
                got = [
                    translation.pgettext(context, msgid)
                    if context is not None
                    else translation.gettext(msgid)
                ]
            elif context is not None:
                got = [translation.npgettext(context, msgid, plural, n) for n in (1, 2)]
            else:
                got = [translation.ngettext(msgid, plural, n) for n in (1, 2)]
            if got != entry.translations:
                mismatches.append(f"{msgid!r}: {got!r} != {entry.translations!r}")
    assert not mismatches, "The .mo file is out of date; run `make messages`:\n" + "\n".join(
        mismatches
    )


@pytest.mark.django_db
def test_home_page_in_the_member_language(client: Any, cast: Any) -> None:
    cast.lea.language = "en"
    cast.lea.save(update_fields=["language"])
    client.force_login(cast.lea)
    with translation.override("fr"):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log out" in html
    assert "Se déconnecter" not in html


@pytest.mark.django_db
def test_login_page_follows_the_browser_language(client: Any) -> None:
    with translation.override("fr"):
        english = client.get("/accounts/login/", headers={"accept-language": "en"})
        french = client.get("/accounts/login/", headers={"accept-language": "fr"})
    assert english.status_code == french.status_code == 200
    html = english.content.decode()
    assert '<html lang="en">' in html
    assert "Password" in html
    assert "Mot de passe" not in html
    assert "Mot de passe" in french.content.decode()
