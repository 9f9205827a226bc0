from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.directory.models import Establishment
from preau.directory.rollover import Rollover, do_rollover, plan_rollover


class Command(BaseCommand):
    help = (
        "Close an establishment's current school year (kept to read, no longer written), "
        "create the next one's periods and carry the staff's memberships into it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--establishment", required=True, help="The establishment's UAI.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be done; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        establishment = Establishment.objects.filter(uai=options["establishment"].upper()).first()
        if establishment is None:
            raise CommandError(f"No establishment with UAI {options['establishment']}.")
        if options["dry_run"]:
            self._print(establishment, plan_rollover(establishment), "would")
        else:
            self._print(establishment, do_rollover(actor=None, establishment=establishment), "")

    def _print(self, establishment: Establishment, plan: Rollover, mode: str) -> None:
        prefix = "would be " if mode else ""
        closed = "already closed" if plan.already_closed else f"{prefix}closed"
        self.stdout.write(
            f"{establishment.uai} {establishment.name}: {plan.closing.label} {closed}"
        )
        self.stdout.write(
            f"next year {plan.next_label}: {len(plan.periods)} period(s) {prefix}created"
        )
        for number, kind, start, end in plan.periods:
            self.stdout.write(f"  {kind} {number}: {start} to {end}")
        self.stdout.write(f"{len(plan.memberships)} staff membership(s) {prefix}carried forward")
        for membership in plan.memberships:
            self.stdout.write(f"  {membership.person.username} ({membership.profile})")
