from typing import Any

from django.core.management.base import BaseCommand

from preau.drive.actions import purge_trash
from preau.drive.models import TRASH_DAYS


class Command(BaseCommand):
    help = f"Delete forever what has been in a drive trash for {TRASH_DAYS} days (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = purge_trash()
        self.stdout.write(f"{count} item(s) purged from the drive trash.")
