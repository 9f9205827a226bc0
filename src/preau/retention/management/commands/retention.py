from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from preau.retention.actions import Outcome, apply_retention, plan


class Command(BaseCommand):
    help = (
        "Delete what has outlived its retention period: accounts three months after the right "
        "ended, connection logs after a year, the establishments' own periods (run nightly)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            self._print(plan(), "would delete")
        else:
            self._print(apply_retention(), "deleted")

    def _print(self, outcome: Outcome, verb: str) -> None:
        self.stdout.write(f"{len(outcome.accounts)} account(s) {verb}:")
        for account in outcome.accounts:
            self.stdout.write(f"  account {account}")
        self.stdout.write(f"{outcome.login_events} login event(s) {verb}")
        self.stdout.write(f"{outcome.sessions} closed session record(s) {verb}")
        self.stdout.write(f"{outcome.read_notifications} read notification(s) {verb}")
        self.stdout.write(f"{outcome.justification_documents} justification document(s) {verb}")
