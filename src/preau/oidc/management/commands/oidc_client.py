"""Register, list and remove OpenID Connect clients from the command line, so that deployments
can be scripted: ``preau oidc_client add --establishment 0781832N --name "Plateforme"
--redirect-uri https://moodle.example/auth/oidc/`` prints the client id (and, for a confidential
client, its secret, shown this once)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.core.registrations import owner_from_options
from preau.oidc.actions import do_register_client, do_remove_client
from preau.oidc.models import OidcClient


class Command(BaseCommand):
    help = "Manage the applications allowed to log in through Préau's OpenID Connect provider."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Register a client.")
        owner = add.add_mutually_exclusive_group(required=True)
        owner.add_argument("--establishment", metavar="UAI")
        owner.add_argument("--academy", metavar="CODE")
        add.add_argument("--name", required=True)
        add.add_argument(
            "--public",
            action="store_true",
            help="A public client (no secret; PKCE required), e.g. a mobile application.",
        )
        add.add_argument(
            "--redirect-uri", action="append", required=True, help="Repeat for several."
        )
        add.add_argument(
            "--post-logout-redirect-uri",
            action="append",
            default=[],
            help="Where RP-initiated logout may return (repeat for several).",
        )
        listing = commands.add_parser("list", help="List the clients.")
        listing.add_argument("--establishment", metavar="UAI")
        listing.add_argument("--academy", metavar="CODE")
        remove = commands.add_parser("remove", help="Remove a client by its client id.")
        remove.add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['command']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        try:
            registration = do_register_client(
                actor=None,
                name=options["name"],
                public=options["public"],
                redirect_uris=options["redirect_uri"],
                post_logout_redirect_uris=options["post_logout_redirect_uri"],
                **owner_from_options(options),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"client_id\t{registration.client.application.client_id}")
        if registration.client_secret:
            self.stdout.write(f"client_secret\t{registration.client_secret}")

    def _list(self, options: dict[str, Any]) -> None:
        clients = OidcClient.objects.select_related(
            "application", "establishment", "academy"
        ).order_by("application__name")
        owner = owner_from_options(options)
        if owner:
            clients = clients.filter(**owner)
        for client in clients:
            owner_label = client.establishment.uai if client.establishment else client.academy.code
            application = client.application
            self.stdout.write(
                "\t".join(
                    [
                        application.client_id,
                        owner_label,
                        application.name,
                        application.client_type,
                        application.redirect_uris,
                    ]
                )
            )

    def _remove(self, options: dict[str, Any]) -> None:
        client = (
            OidcClient.objects.select_related("application", "establishment")
            .filter(application__client_id=options["client_id"])
            .first()
        )
        if client is None:
            raise CommandError(f"No OpenID Connect client {options['client_id']}.")
        do_remove_client(actor=None, client=client)
        self.stdout.write(f"Removed {client.application.name}.")
