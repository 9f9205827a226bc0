"""Préau's LTI signing keys: ``preau lti_key rotate`` makes a new key that signs from now on
(the previous ones stay published at /lti/jwks.json); ``preau lti_key prune`` forgets the
retired ones once the tools have fetched the new set; ``preau lti_key list`` shows them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from preau.lti import keys
from preau.lti.models import PlatformKey


class Command(BaseCommand):
    help = "Manage the RSA keys signing Préau's LTI messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("command", choices=["list", "rotate", "prune"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "rotate":
            self.stdout.write(f"New signing key {keys.rotate().kid}.")
        elif options["command"] == "prune":
            self.stdout.write(f"{keys.prune_retired()} retired key(s) removed.")
        for key in PlatformKey.objects.all():
            state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "signing"
            self.stdout.write(f"{key.kid}\t{key.created_at:%Y-%m-%d}\t{state}")
