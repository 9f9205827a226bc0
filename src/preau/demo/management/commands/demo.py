import importlib
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from preau.demo.cast import DEMO_PASSWORD, Cast, build_cast
from preau.demo.population import (
    DEFAULT_SEED,
    SPECS,
    build_population,
    is_populated,
    school_counts,
)
from preau.directory.models import Establishment, SchoolYear

User = get_user_model()


def service_demos() -> list[Callable[[Cast], None]]:
    """The ``build(cast)`` of every app that has a ``demo`` module: each service seeds its own
    demo data (idempotent), in the order of INSTALLED_APPS."""
    builders = []
    for config in apps.get_app_configs():
        if not config.name.startswith("preau.") or config.name == "preau.demo":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        builders.append(module.build)
    return builders


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Build the demo school (deterministic): the cast, Collège Jean Moulin and Lycée Marie "
        "Curie with their students, families and staff."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts share a published password).",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database has accounts."
        )
        parser.add_argument(
            "--students",
            type=positive,
            default=None,
            help="Students of the collège (default 460); the lycée grows in proportion.",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Seed of the population's draws."
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
        started = time.monotonic()
        password_hash = make_password(DEMO_PASSWORD)  # once: every demo account shares it
        with transaction.atomic():
            cast = build_cast(password_hash=password_hash)
            if is_populated():
                self.stdout.write(_("Population de démonstration déjà en place : inchangée."))
            else:
                build_population(
                    options["students"], seed=options["seed"], password_hash=password_hash
                )
            for build in service_demos():
                build(cast)
        year = SchoolYear.current()
        for establishment in Establishment.objects.filter(uai__in=[s.uai for s in SPECS]):
            counts = school_counts(establishment, year)
            self.stdout.write(
                _(
                    "%(school)s : %(students)d élèves, %(classes)d classes, %(groups)d groupes, "
                    "%(staff)d personnels dont %(teachers)d enseignants, %(guardians)d "
                    "responsables, %(assignments)d services d'enseignement"
                )
                % {"school": establishment.name, **counts}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("École de démonstration prête (%(seconds).1f s).")
                % {"seconds": time.monotonic() - started}
            )
        )
