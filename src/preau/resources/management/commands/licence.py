"""Register publishers' resources and their licences from the command line, so that
deployments can be scripted:

    preau licence add --establishment 0781832N --resource ark:/99999/manuel-maths-4e \\
        --class "4e A" --class "4e B" --seats 60 --start 2026-09-01 --end 2027-08-31
    preau licence add --establishment 0781832N --resource ark:/99999/dico \\
        --title "Dictionnaire" --publisher "Éditions Hirondelle" --url https://… \\
        --start 2026-09-01 --end 2027-08-31
    preau licence list --establishment 0781832N
    preau licence revoke <licence id>

``--resource`` names the resource by its identifier (the access broker's « idRessource »)
among the establishment's and its academy's publishers' resources; with ``--title``,
``--publisher`` and ``--url`` a missing one is registered first (``--academy-catalogue`` puts it
in the academy's catalogue rather than the establishment's).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from preau.directory.models import Establishment, Profile, SchoolClass, SchoolYear
from preau.resources import actions, policies, selectors
from preau.resources.models import IdentifierKind, Licence, LicenceAudience

User = get_user_model()


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Manage the licences of publishers' resources of an establishment."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Register a licence.")
        add.add_argument("--establishment", metavar="UAI", required=True)
        add.add_argument("--resource", metavar="IDENTIFIER", required=True)
        add.add_argument("--title", help="Register the resource first with this title.")
        add.add_argument("--publisher")
        add.add_argument("--distributor", default="")
        add.add_argument("--url", help="The resource's launch address (http or https).")
        add.add_argument("--description", default="")
        add.add_argument("--subject", default="")
        add.add_argument(
            "--academy-catalogue",
            action="store_true",
            help="Register the new resource in the academy's catalogue.",
        )
        audience = add.add_mutually_exclusive_group()
        audience.add_argument(
            "--profile",
            action="append",
            choices=[p.value for p in Profile if p != Profile.GUARDIAN],
            help="A national profile (repeat for several).",
        )
        audience.add_argument("--class", dest="classes", action="append", metavar="NAME")
        audience.add_argument("--user", dest="users", action="append", metavar="USERNAME")
        add.add_argument("--seats", type=int)
        add.add_argument("--start", type=_date, required=True)
        add.add_argument("--end", type=_date, required=True)
        add.add_argument("--reference", default="")
        listing = commands.add_parser("list", help="List an establishment's licences.")
        listing.add_argument("--establishment", metavar="UAI", required=True)
        revoke = commands.add_parser("revoke", help="Withdraw a licence by its id.")
        revoke.add_argument("public_id")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['command']}")(options)

    def _establishment(self, uai: str) -> Establishment:
        found = Establishment.objects.filter(uai=uai.upper()).select_related("academy").first()
        if found is None:
            raise CommandError(f"No establishment with UAI {uai}.")
        return found

    def _resource(self, establishment: Establishment, options: dict[str, Any]) -> Any:
        identifier = options["resource"]
        resource = (
            policies.licensable_resources(establishment).filter(identifier=identifier).first()
        )
        if resource is not None:
            return resource
        if not options["title"]:
            raise CommandError(
                f"No publisher's resource {identifier} for {establishment.uai}; "
                "give --title, --publisher and --url to register it."
            )
        owner: dict[str, Any] = (
            {"academy": establishment.academy}
            if options["academy_catalogue"]
            else {"establishment": establishment}
        )
        kind = IdentifierKind.ARK if identifier.startswith("ark:/") else IdentifierKind.DISTRIBUTOR
        return actions.do_register_publisher_resource(
            actor=None,
            title=options["title"],
            publisher=options["publisher"] or "",
            distributor=options["distributor"],
            url=options["url"] or "",
            identifier=identifier,
            identifier_kind=kind,
            description=options["description"],
            subject=options["subject"],
            **owner,
        )

    def _add(self, options: dict[str, Any]) -> None:
        establishment = self._establishment(options["establishment"])
        audience, classes, people = LicenceAudience.ESTABLISHMENT, [], []
        if options["profile"]:
            audience = LicenceAudience.PROFILES
        if options["classes"]:
            audience = LicenceAudience.CLASSES
            found = {
                c.name: c
                for c in SchoolClass.objects.filter(
                    establishment=establishment,
                    school_year=SchoolYear.current(),
                    name__in=options["classes"],
                )
            }
            missing = [name for name in options["classes"] if name not in found]
            if missing:
                raise CommandError(f"No class named {', '.join(missing)} this year.")
            classes = [found[name] for name in options["classes"]]
        if options["users"]:
            audience = LicenceAudience.PEOPLE
            accounts = User.objects.filter(username__in=options["users"])
            found_people = {u.username: u for u in accounts}
            missing = [name for name in options["users"] if name not in found_people]
            if missing:
                raise CommandError(f"No account named {', '.join(missing)}.")
            people = [found_people[name] for name in options["users"]]
        try:
            with transaction.atomic():
                resource = self._resource(establishment, options)
                licence = actions.do_add_licence(
                    actor=None,
                    establishment=establishment,
                    resource=resource,
                    audience=audience,
                    profiles=options["profile"] or [],
                    classes=classes,
                    people=people,
                    seats=options["seats"],
                    starts_on=options["start"],
                    ends_on=options["end"],
                    reference=options["reference"],
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(str(licence.public_id))

    def _list(self, options: dict[str, Any]) -> None:
        establishment = self._establishment(options["establishment"])
        today = timezone.localdate()
        for licence in selectors.licence_rows(establishment):
            seats = licence.seats if licence.seats is not None else "-"
            self.stdout.write(
                "\t".join(
                    [
                        str(licence.public_id),
                        licence.resource.identifier or "-",
                        licence.resource.title,
                        licence.audience,
                        licence.starts_on.isoformat(),
                        licence.ends_on.isoformat(),
                        f"{licence.used}/{seats}",
                        selectors.licence_status(licence, today),
                    ]
                )
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        try:
            licence = Licence.objects.select_related("establishment").get(
                public_id=options["public_id"]
            )
        except (Licence.DoesNotExist, ValueError, ValidationError) as exc:
            raise CommandError(f"No licence {options['public_id']}.") from exc
        actions.do_revoke_licence(actor=None, licence=licence)
        self.stdout.write(f"Revoked {licence.public_id}")
