"""``preau import_aaf <files or folders> [--dry-run] [--academy CODE] [--progress]``."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from preau.directory.models import Academy
from preau.feeds.actions import feed_files, import_files
from preau.feeds.xml import FeedError


class Command(BaseCommand):
    help = "Importe les fichiers de l'annuaire fédérateur (AAF), complets ou delta."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--academy", help="Code de l'académie (obligatoire s'il y en a plusieurs)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Dire ce qui changerait, sans rien écrire."
        )
        parser.add_argument(
            "--progress", action="store_true", help="Barre de progression même hors terminal."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        academy = self._academy(options["academy"])
        try:
            files = feed_files(options["paths"])
        except (FeedError, OSError) as error:
            raise CommandError(str(error)) from error
        if not files:
            raise CommandError(_("Aucun fichier de l'annuaire à importer."))
        show_progress = options["progress"] or sys.stderr.isatty()
        logs = import_files(
            files,
            academy=academy,
            dry_run=options["dry_run"],
            on_progress=(lambda feed: self._bar(feed.name)) if show_progress else None,
        )
        failed = 0
        for feed, log in zip(files, logs, strict=True):
            if log.error:
                failed += 1
                self.stderr.write(_("Refusé, rien n'est écrit : %(error)s") % {"error": log.error})
                continue
            verb = _("changerait") if log.dry_run else _("a changé")
            total = sum(log.counts.values())
            self.stdout.write(
                _("%(file)s (%(records)s enregistrements) %(verb)s %(total)s éléments")
                % {"file": feed.name, "records": log.records, "verb": verb, "total": total}
            )
            for key, count in log.counts.items():
                self.stdout.write(f"  {key}: {count}")
            for change in log.changes:
                self.stdout.write(f"    {change}")
        if failed:
            raise CommandError(_("%(count)s fichier(s) refusé(s).") % {"count": failed})

    def _academy(self, code: str | None) -> Academy:
        if code:
            academy = Academy.objects.filter(code=code).first()
            if academy is None:
                raise CommandError(_("Académie « %(code)s » inconnue.") % {"code": code})
            return academy
        academies = list(Academy.objects.all()[:2])
        if len(academies) != 1:
            raise CommandError(_("Précisez l'académie avec --academy CODE."))
        return academies[0]

    @staticmethod
    def _bar(name: str) -> Any:
        state = {"last": -1}

        def show(done: int, size: int) -> None:
            percent = int(done * 100 / size) if size else 100
            if percent != state["last"]:
                state["last"] = percent
                filled = percent // 4
                end = "\n" if percent >= 100 else ""
                sys.stderr.write(f"\r{name[:40]:<40} [{'#' * filled:<25}] {percent:3d} %{end}")
                sys.stderr.flush()

        return show
