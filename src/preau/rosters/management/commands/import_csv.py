"""Import students, guardians and teachers from a CSV file, as the console does:
``preau import_csv --establishment 0781832N eleves.csv [--map "Nom de famille=last_name"]
[--profile National_ELV] [--dry-run]``. The columns are mapped from the header (common French
headers are recognised; --map names others); every problem is printed with its line and column,
and a file with any error imports nothing. The new people's activation codes are printed once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.directory.models import Establishment
from preau.rosters import csvimport
from preau.rosters.actions import FileRefused, read_upload


class Command(BaseCommand):
    help = "Import people from a CSV file into an establishment (checked first, all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--establishment", metavar="UAI", required=True)
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help=f"Map a header column to a field ({', '.join(csvimport.FIELD_NAMES)}).",
        )
        parser.add_argument(
            "--profile",
            default="National_ELV",
            choices=[p.value for p in csvimport.IMPORTED_PROFILES],
            help="The profile of lines without one.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only.")

    def handle(self, *args: Any, **options: Any) -> None:
        school = Establishment.objects.filter(uai=options["establishment"].upper()).first()
        if school is None:
            raise CommandError(f"No establishment with UAI {options['establishment']}.")
        try:
            with options["file"].open("rb") as upload:
                text = read_upload(upload)
        except OSError as error:
            raise CommandError(str(error)) from error
        except FileRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        header = csvimport.header_of(text)
        mapping = csvimport.guess_mapping(header)
        for pair in options["map"]:
            column, _sep, name = pair.partition("=")
            if column not in header or name not in csvimport.FIELD_NAMES:
                raise CommandError(f"--map {pair}: unknown column or field.")
            mapping = ["" if m == name else m for m in mapping]
            mapping[header.index(column)] = name
        for column, name in zip(header, mapping, strict=True):
            self.stdout.write(f"{column} -> {name or '(ignored)'}")
        report = csvimport.check(
            text, mapping, establishment=school, default_profile=options["profile"]
        )
        for notice in report.notices:
            self.stdout.write(f"line {notice.line}: {notice.message}")
        for error in report.errors:
            self.stderr.write(f"line {error.line}, column {error.column or '-'}: {error.message}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} error(s): nothing was imported.")
        if options["dry_run"]:
            self.stdout.write(f"{len(report.lines)} line(s) checked, no error (dry run).")
            return
        outcome = csvimport.write(
            actor=None, establishment=school, report=report, filename=options["file"].name
        )
        self.stdout.write(
            f"{len(outcome.created)} created, {outcome.attached} attached, "
            f"{outcome.classes} class(es) created, {outcome.guardianships} guardianship(s)."
        )
        for created in outcome.created:
            self.stdout.write(f"{created.person.username};{created.activation_code}")
