import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Serve the portal and run the task worker beside it (the embedded mode of `make run`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args: Any, **options: Any) -> None:
        from preau.demo.cast import DEMO_PASSWORD, PEOPLE

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(_("Préau : %(url)s") % {"url": url}))
        if settings.DEBUG:
            self.stdout.write(
                _("Comptes de démonstration (mot de passe : %(password)s) :")
                % {"password": DEMO_PASSWORD}
            )
            for username, first, last, _birth, _email in PEOPLE:
                self.stdout.write(f"  {username:<22} {first} {last}")
        worker = subprocess.Popen([sys.executable, "-m", "preau", "db_worker", "--interval", "1"])
        try:
            if settings.DEBUG:
                call_command(
                    "runserver", f"{options['host']}:{options['port']}", use_reloader=False
                )
            else:
                call_command("collectstatic", interactive=False, verbosity=0)
                os.execvp(  # noqa: S606 - replaces this process with the production server
                    sys.executable,
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "preau.wsgi",
                        "--bind",
                        f"{options['host']}:{options['port']}",
                        "--workers",
                        os.environ.get("WEB_CONCURRENCY", "2"),
                    ],
                )
        finally:
            worker.terminate()
