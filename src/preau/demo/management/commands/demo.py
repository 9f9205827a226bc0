from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from preau.demo.cast import DEMO_PASSWORD, build_cast

User = get_user_model()


class Command(BaseCommand):
    help = "Build the demo school (deterministic): the cast and their establishments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts share a published password).",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database has accounts."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                _(
                    "La démo publie un mot de passe commun : lancez-la avec DEBUG=1, "
                    "ou ajoutez --allow-production en connaissance de cause."
                )
            )
        if options["if_empty"] and User.objects.exists():
            self.stdout.write(_("Base déjà remplie : démo inchangée."))
            return
        build_cast(DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS(_("École de démonstration prête.")))
