"""Export an establishment as a OneRoster 1.2 CSV archive:
``preau oneroster_export --establishment 0781832N out.zip`` (docs/rosters.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.directory.models import Establishment
from preau.rosters.oneroster import export_zip


class Command(BaseCommand):
    help = "Write an establishment's OneRoster 1.2 CSV archive (bulk)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--establishment", metavar="UAI", required=True)
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        school = (
            Establishment.objects.select_related("academy")
            .filter(uai=options["establishment"].upper())
            .first()
        )
        if school is None:
            raise CommandError(f"No establishment with UAI {options['establishment']}.")
        options["out"].write_bytes(export_zip(school))
        self.stdout.write(f"Wrote {options['out']}.")
