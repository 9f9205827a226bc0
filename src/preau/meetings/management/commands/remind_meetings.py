from typing import Any

from django.core.management.base import BaseCommand

from preau.meetings.actions import do_send_reminders


class Command(BaseCommand):
    help = (
        "Remind the guardians of their parent-teacher meetings of tomorrow, once per meeting "
        "(run once a day, outside quiet hours)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = do_send_reminders()
        self.stdout.write(f"{count} meeting(s) reminded.")
