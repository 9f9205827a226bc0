from typing import Any

from django.core.management.base import BaseCommand

from preau.notifications.emails import send_digests


class Command(BaseCommand):
    help = (
        "E-mail each person who asked for a daily digest the unread notifications delivered "
        "since their last digest. Run it once a day, outside the quiet hours (e.g. at 17:00)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) sent.")
