from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from preau.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `preau backup` (same Préau version, same migrations, same "
        "database engine). Stop the portal and its workers first. See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive written by `preau backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database or a media folder that is not empty",
        )

    def handle(self, *args: Any, file: Path, force: bool, **options: Any) -> None:
        try:
            outcome = restore(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = outcome.manifest
        self.stdout.write(
            _("Sauvegarde du %(created)s restaurée : %(tables)d tables, %(files)d fichier(s).")
            % {
                "created": manifest["created_at"],
                "tables": len(manifest["database"]["tables"]),
                "files": manifest["media"]["files"],
            }
        )
