from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from preau.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files into one archive (with a manifest: "
        "version, migrations, checksums). Safe while the portal runs. See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write (a .tar file)")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if file.exists():
            raise CommandError(_("%s existe déjà : choisissez un autre nom.") % file)
        try:
            outcome = backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = outcome.manifest
        self.stdout.write(
            _(
                "Sauvegarde écrite dans %(path)s : base %(engine)s (%(tables)d tables), "
                "%(files)d fichier(s)."
            )
            % {
                "path": outcome.path,
                "engine": manifest["engine"],
                "tables": len(manifest["database"]["tables"]),
                "files": manifest["media"]["files"],
            }
        )
