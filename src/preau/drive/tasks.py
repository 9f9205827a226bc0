"""Background work of the drive: the daily purge of the trash."""

from __future__ import annotations

from django_tasks import task

from preau.drive.actions import purge_trash


@task()
def purge_expired_trash() -> int:
    """Delete forever what has been in a trash for 30 days; returns how many items went."""
    return purge_trash()
