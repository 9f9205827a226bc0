"""Changes made by the rosters app: a CSV file kept between the console's steps, its mapping, its
import; and the OneRoster import (oneroster.py). Each runs in one transaction and is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from preau.core.csvfile import decode
from preau.rosters import csvimport
from preau.rosters.models import RosterImport

KEPT_FOR = timedelta(days=1)


class FileRefused(ValueError):
    """The upload cannot be read; ``str`` is the message for the person."""


def read_upload(upload: Any) -> str:
    """The text of an uploaded CSV file (FileRefused when too big or not text)."""
    from django.utils.translation import gettext as _

    raw = upload.read(csvimport.MAX_BYTES + 1)
    if len(raw) > csvimport.MAX_BYTES:
        raise FileRefused(_("Le fichier dépasse 2 Mo."))
    try:
        text = decode(raw)
    except ValueError as error:
        raise FileRefused(str(error)) from error
    if not csvimport.header_of(text):
        raise FileRefused(_("Le fichier est vide."))
    return text


def do_start_import(*, actor: Any, establishment: Any, filename: str, text: str) -> RosterImport:
    """Keep the file for the next steps, with the mapping guessed from its header.

    Files of earlier imports left unfinished for a day are deleted on the way: they hold
    personal data nobody will use."""
    with transaction.atomic():
        RosterImport.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
        return RosterImport.objects.create(
            establishment=establishment,
            created_by=getattr(actor, "user", actor),
            filename=filename[:200],
            text=text,
            mapping=csvimport.guess_mapping(csvimport.header_of(text)),
        )


def do_set_mapping(
    *, actor: Any, batch: RosterImport, mapping: list[str], default_profile: str
) -> RosterImport:
    batch.mapping, batch.default_profile = mapping, default_profile
    batch.save(update_fields=["mapping", "default_profile"])
    return batch


def check(batch: RosterImport) -> csvimport.Report:
    return csvimport.check(
        batch.text,
        batch.mapping,
        establishment=batch.establishment,
        default_profile=batch.default_profile,
    )


@dataclass(frozen=True)
class Imported:
    report: csvimport.Report
    outcome: csvimport.Outcome | None  # None when the report has errors: nothing was written


def do_import(*, actor: Any, batch: RosterImport) -> Imported:
    """Check the file again (the directory may have changed) and write it if it has no error.

    The file's text is emptied once imported."""
    with transaction.atomic():
        report = check(batch)
        if report.errors:
            return Imported(report, None)
        outcome = csvimport.write(
            actor=actor, establishment=batch.establishment, report=report, filename=batch.filename
        )
        batch.text, batch.imported_at = "", timezone.now()
        batch.save(update_fields=["text", "imported_at"])
    return Imported(report, outcome)
