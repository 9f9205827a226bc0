from typing import Any

from django.core.management.base import BaseCommand

from preau.cas.actions import do_purge_tickets


class Command(BaseCommand):
    help = (
        "Forget CAS tickets that can no longer be used: expired service and proxy tickets, "
        "proxy-granting tickets past their life, tickets of sessions past their length "
        "(run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{do_purge_tickets()} CAS ticket(s) forgotten.")
