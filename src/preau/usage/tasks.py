"""The aggregation as a task, for a scheduler that enqueues tasks rather than running commands."""

from __future__ import annotations

from django_tasks import task

from preau.usage.actions import do_aggregate_pending


@task()
def aggregate_usage() -> int:
    """Aggregate every day not aggregated yet, up to yesterday; the number of days."""
    return len(do_aggregate_pending())
