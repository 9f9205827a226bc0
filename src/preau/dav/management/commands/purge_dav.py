import time
from typing import Any

from django.core.management.base import BaseCommand

from preau.dav.models import PENDING_HOURS, DavLock
from preau.dav.pending import purge_expired


class Command(BaseCommand):
    help = (
        "Forget expired WebDAV locks, and the empty or working files of WebDAV clients older "
        f"than {PENDING_HOURS} hours (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        locks, _ = DavLock.objects.filter(expires_at__lt=time.time()).delete()
        files = purge_expired()
        self.stdout.write(f"{locks} expired lock(s), {files} waiting file(s) forgotten.")
