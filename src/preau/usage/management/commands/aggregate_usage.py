from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from preau.usage import recorder
from preau.usage.actions import do_aggregate_day, do_aggregate_pending


class Command(BaseCommand):
    help = (
        "Aggregate the usage statistics: every day not aggregated yet up to yesterday, or the "
        "day given with --date (run once a night, after midnight)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=date.fromisoformat, default=None, help="A day (YYYY-MM-DD) to aggregate."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recorder.flush()
        try:
            if options["date"] is not None:
                done = [do_aggregate_day(day=options["date"])]
            else:
                done = do_aggregate_pending()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for result in done:
            self.stdout.write(
                f"{result.day.isoformat()}: {result.establishments} establishment(s), "
                f"{result.visits} visit(s), {result.visitors} visitor(s)."
            )
