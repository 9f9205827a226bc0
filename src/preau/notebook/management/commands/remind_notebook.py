from typing import Any

from django.core.management.base import BaseCommand

from preau.notebook.actions import do_remind_unsigned


class Command(BaseCommand):
    help = (
        "Remind the guardians who have not signed a notebook entry after their establishment's "
        "delay, once per entry (run daily, or every hour)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = do_remind_unsigned()
        self.stdout.write(f"{count} entry(ies) reminded.")
