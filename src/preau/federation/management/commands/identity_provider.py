"""Register, list and disable the identity providers of an academy from the command line, so
that deployments can be scripted:

    preau identity_provider add --academy VERSAILLES --kind saml --name ÉduConnect \
        --metadata-url https://educonnect.example/idp/metadata
    preau identity_provider add --academy VERSAILLES --kind oidc --name "Guichet agents" \
        --issuer https://guichet.example --client-id preau --client-secret-file secret.txt
    preau identity_provider list [--academy CODE]
    preau identity_provider disable <public id>

The client secret is read from a file (or standard input with ``-``), never from the command
line, where other users of the machine could read it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.directory.models import Academy
from preau.federation.actions import do_register_provider, do_set_enabled
from preau.federation.models import IdentityProvider


class Command(BaseCommand):
    help = "Manage the external identity providers (SAML 2, OpenID Connect) of the academies."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Register a provider.")
        add.add_argument("--academy", metavar="CODE", required=True)
        add.add_argument("--kind", choices=["saml", "oidc"], required=True)
        add.add_argument("--name", required=True, help="The label of the login button.")
        add.add_argument(
            "--join-attribute",
            default="",
            help="SAML attribute or OpenID Connect claim carrying the directory id "
            "(default: FrEduCtId for SAML, sub for OpenID Connect).",
        )
        add.add_argument("--metadata-file", help="SAML: the provider's metadata XML.")
        add.add_argument("--metadata-url", default="", help="SAML: fetched now and stored.")
        add.add_argument("--issuer", default="", help="OpenID Connect: the issuer.")
        add.add_argument("--client-id", default="")
        add.add_argument(
            "--client-secret-file", help="OpenID Connect: a file holding the secret ('-': stdin)."
        )
        add.add_argument("--scopes", default="openid")
        add.add_argument("--disabled", action="store_true", help="Register it disabled.")
        listing = commands.add_parser("list", help="List the providers.")
        listing.add_argument("--academy", metavar="CODE")
        for verb in ("disable", "enable"):
            sub = commands.add_parser(verb, help=f"{verb.capitalize()} a provider by its id.")
            sub.add_argument("public_id")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['command']}")(options)

    def _academy(self, code: str) -> Academy:
        academy = Academy.objects.filter(code=code).first()
        if academy is None:
            raise CommandError(f"No academy with code {code}.")
        return academy

    def _add(self, options: dict[str, Any]) -> None:
        metadata = ""
        if options["metadata_file"]:
            metadata = Path(options["metadata_file"]).read_text(encoding="utf-8")
        secret = ""
        if options["client_secret_file"] == "-":  # noqa: S105 - "-" means standard input
            secret = sys.stdin.read().strip()
        elif options["client_secret_file"]:
            secret = Path(options["client_secret_file"]).read_text(encoding="utf-8").strip()
        try:
            provider = do_register_provider(
                actor=None,
                academy=self._academy(options["academy"]),
                kind=options["kind"],
                name=options["name"],
                join_attribute=options["join_attribute"],
                saml_metadata=metadata,
                saml_metadata_url=options["metadata_url"],
                oidc_issuer=options["issuer"],
                oidc_client_id=options["client_id"],
                oidc_client_secret=secret,
                oidc_scopes=options["scopes"],
                enabled=not options["disabled"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"id\t{provider.public_id}")
        if provider.is_saml:
            self.stdout.write(f"metadata\t/federation/saml/{provider.public_id}/metadata/")
        else:
            self.stdout.write(f"redirect_uri\t/federation/oidc/{provider.public_id}/callback/")

    def _list(self, options: dict[str, Any]) -> None:
        providers = IdentityProvider.objects.select_related("academy").order_by(
            "academy__code", "name"
        )
        if options.get("academy"):
            providers = providers.filter(academy=self._academy(options["academy"]))
        for provider in providers:
            self.stdout.write(
                "\t".join(
                    [
                        str(provider.public_id),
                        provider.academy.code,
                        provider.kind,
                        provider.name,
                        provider.join_attribute,
                        provider.saml_entity_id or provider.oidc_issuer,
                        "enabled" if provider.enabled else "disabled",
                    ]
                )
            )

    def _switch(self, options: dict[str, Any], enabled: bool) -> None:
        try:
            provider = IdentityProvider.objects.get(public_id=options["public_id"])
        except (IdentityProvider.DoesNotExist, ValidationError, ValueError) as error:
            raise CommandError(f"No identity provider {options['public_id']}.") from error
        do_set_enabled(actor=None, provider=provider, enabled=enabled)
        self.stdout.write(f"{provider.name}: {'enabled' if enabled else 'disabled'}.")

    def _disable(self, options: dict[str, Any]) -> None:
        self._switch(options, False)

    def _enable(self, options: dict[str, Any]) -> None:
        self._switch(options, True)
