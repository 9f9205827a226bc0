from typing import Any

from django.core.management.base import BaseCommand

from preau.notifications.emails import send_due_emails


class Command(BaseCommand):
    help = (
        "Send the immediate notification e-mails whose delivery time has come. Only needed "
        "with a task backend that cannot defer work; harmless otherwise."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent, _next_due = send_due_emails()
        self.stdout.write(f"{sent} e-mail(s) sent.")
