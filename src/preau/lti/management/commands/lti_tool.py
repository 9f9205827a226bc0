"""Register, list and disable LTI tools from the command line, so that deployments can be
scripted: ``preau lti_tool add --establishment 0781832N --name "Exerciseur"
--login-url https://tool.example/login --launch-url https://tool.example/launch
--jwks-url https://tool.example/jwks --nrps --ags`` prints the client id and deployment id to
enter in the tool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.core.registrations import owner_from_options
from preau.lti import protocol
from preau.lti.actions import do_register_tool, do_set_tool_active
from preau.lti.models import LtiTool


class Command(BaseCommand):
    help = "Manage the LTI 1.3 tools teachers may add to their classes."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Register a tool.")
        owner = add.add_mutually_exclusive_group(required=True)
        owner.add_argument("--establishment", metavar="UAI")
        owner.add_argument("--academy", metavar="CODE")
        add.add_argument("--name", required=True)
        add.add_argument("--login-url", required=True, help="OIDC login initiation address.")
        add.add_argument("--launch-url", required=True, help="Target link (launch) address.")
        add.add_argument("--redirect-uri", action="append", default=[], help="Repeatable.")
        add.add_argument("--deep-linking-url", default="")
        key = add.add_mutually_exclusive_group(required=True)
        key.add_argument("--public-key-file", type=Path, help="The tool's public key (PEM).")
        key.add_argument("--jwks-url", help="The address of the tool's key set.")
        add.add_argument("--share-email", action="store_true")
        add.add_argument("--no-names", action="store_true", help="Do not send people's names.")
        add.add_argument("--nrps", action="store_true", help="May read the class roster.")
        add.add_argument("--ags", action="store_true", help="May send scores (marks).")
        listing = commands.add_parser("list", help="List the tools.")
        listing.add_argument("--establishment", metavar="UAI")
        listing.add_argument("--academy", metavar="CODE")
        disable = commands.add_parser("disable", help="Disable a tool by its client id.")
        disable.add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['command']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        key_file = options["public_key_file"]
        try:
            tool = do_register_tool(
                actor=None,
                name=options["name"],
                login_url=options["login_url"],
                launch_url=options["launch_url"],
                redirect_uris=options["redirect_uri"],
                deep_linking_url=options["deep_linking_url"],
                public_key=key_file.read_text() if key_file else "",
                jwks_url=options["jwks_url"] or "",
                share_name=not options["no_names"],
                share_email=options["share_email"],
                nrps_enabled=options["nrps"],
                ags_enabled=options["ags"],
                **owner_from_options(options),
            )
        except (ValidationError, OSError) as error:
            message = "; ".join(getattr(error, "messages", [str(error)]))
            raise CommandError(message) from error
        self.stdout.write(f"issuer\t{protocol.issuer()}")
        self.stdout.write(f"client_id\t{tool.client_id}")
        self.stdout.write(f"deployment_id\t{tool.deployment_id}")
        self.stdout.write(f"auth_login_url\t{protocol.absolute('lti:authorize')}")
        self.stdout.write(f"auth_token_url\t{protocol.absolute('lti:token')}")
        self.stdout.write(f"key_set_url\t{protocol.absolute('lti:jwks')}")

    def _list(self, options: dict[str, Any]) -> None:
        tools = LtiTool.objects.select_related("establishment", "academy").order_by("name")
        owner = owner_from_options(options)
        if owner:
            tools = tools.filter(**owner)
        for tool in tools:
            where = tool.establishment.uai if tool.establishment else tool.academy.code
            state = "active" if tool.is_active else "disabled"
            self.stdout.write(f"{tool.client_id}\t{where}\t{state}\t{tool.name}")

    def _disable(self, options: dict[str, Any]) -> None:
        tool = LtiTool.objects.filter(client_id=options["client_id"]).first()
        if tool is None:
            raise CommandError(f"No tool with client id {options['client_id']}.")
        do_set_tool_active(actor=None, tool=tool, active=False)
        self.stdout.write(f"Disabled {tool.name}.")
