"""Import a OneRoster 1.2 CSV archive (bulk): ``preau oneroster_import file.zip [--dry-run]``.
The archive's school is found by its UAI, or created with its academy; every problem is printed
with its file and line, and an archive with any problem imports nothing (docs/rosters.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.rosters.oneroster import do_import_zip


class Command(BaseCommand):
    help = "Import a OneRoster 1.2 CSV archive (checked first, all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with options["file"].open("rb") as upload:
                result = do_import_zip(
                    actor=None, establishment=None, upload=upload, dry_run=options["dry_run"]
                )
        except OSError as error:
            raise CommandError(str(error)) from error
        for problem in result.problems:
            self.stderr.write(f"{problem.file or '-'}:{problem.line}: {problem.message}")
        if result.problems:
            raise CommandError(f"{len(result.problems)} problem(s): nothing was imported.")
        for label, count in result.counts:
            self.stdout.write(f"{label}: {count}")
        self.stdout.write("Checked, nothing written (dry run)." if result.dry_run else "Imported.")
