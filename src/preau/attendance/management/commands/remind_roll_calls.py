from typing import Any

from django.core.management.base import BaseCommand

from preau.attendance.actions import do_remind_missing_roll_calls


class Command(BaseCommand):
    help = (
        "Remind the teachers of lessons ended without a roll call, once per lesson "
        "(run every few minutes during the school day)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = do_remind_missing_roll_calls()
        self.stdout.write(f"{count} lesson(s) reminded.")
