"""Register, list and remove CAS services from the command line, so that deployments can be
scripted: ``preau cas_service add --establishment 0781832N --name "Vie scolaire"
--prefix https://vie-scolaire.example/ --attribute uid --attribute ENTPersonProfils``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.cas.actions import do_register_service, do_remove_service
from preau.cas.models import Attribute, CasService, MatchKind
from preau.core.registrations import owner_from_options


class Command(BaseCommand):
    help = "Manage the services allowed to log in through Préau's CAS server."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Register a service.")
        owner = add.add_mutually_exclusive_group(required=True)
        owner.add_argument("--establishment", metavar="UAI")
        owner.add_argument("--academy", metavar="CODE")
        add.add_argument("--name", required=True)
        address = add.add_mutually_exclusive_group(required=True)
        address.add_argument("--prefix", help="Addresses starting with this exact prefix.")
        address.add_argument("--regex", help="Addresses matching this anchored expression.")
        add.add_argument(
            "--attribute",
            action="append",
            default=[],
            choices=Attribute.values,
            help="An attribute released to the service (repeat for several).",
        )
        add.add_argument(
            "--proxy", action="store_true", help="The service may obtain proxy tickets."
        )
        listing = commands.add_parser("list", help="List the services.")
        listing.add_argument("--establishment", metavar="UAI")
        listing.add_argument("--academy", metavar="CODE")
        remove = commands.add_parser("remove", help="Remove a service by its id.")
        remove.add_argument("public_id")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['command']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        kind = MatchKind.PREFIX if options["prefix"] else MatchKind.REGEX
        try:
            service = do_register_service(
                actor=None,
                name=options["name"],
                match_kind=kind,
                pattern=options["prefix"] or options["regex"],
                attributes=options["attribute"],
                may_proxy=options["proxy"],
                **owner_from_options(options),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(str(service.public_id))

    def _list(self, options: dict[str, Any]) -> None:
        services = CasService.objects.select_related("establishment", "academy").order_by("name")
        owner = owner_from_options(options)
        if owner:
            services = services.filter(**owner)
        for service in services:
            owner_label = (
                service.establishment.uai if service.establishment else service.academy.code
            )
            self.stdout.write(
                "\t".join(
                    [
                        str(service.public_id),
                        owner_label,
                        service.name,
                        f"{service.match_kind}:{service.pattern}",
                        ",".join(service.attributes) or "-",
                        "proxy" if service.may_proxy else "-",
                    ]
                )
            )

    def _remove(self, options: dict[str, Any]) -> None:
        try:
            service = CasService.objects.select_related("establishment").get(
                public_id=options["public_id"]
            )
        except (CasService.DoesNotExist, ValidationError) as error:
            raise CommandError(f"No CAS service {options['public_id']}.") from error
        do_remove_service(actor=None, service=service)
        self.stdout.write(f"Removed {service.name}.")
