"""Report cards of the whole demo collège: PDFs per second on one core, and peak memory.

``python -m preau.bench.reportcards`` (in the benchmark's environment, on the demo school)
opens a period for every class of the collège (the one the demo opened), validates and
publishes each council, then makes and stores every report card's PDF in this one process (one
core), class by class, as the publication task does. It prints JSON: report cards, classes,
seconds (wall clock and CPU), PDFs per second of each, the median time of a class, the
process's peak resident memory (RSS) before and after, and the average PDF size. Everything
runs in a transaction rolled back at the end; the PDFs go to the benchmark's media folder,
which it removes.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from typing import Any

COLLEGE = "Collège Jean Moulin"


class Rollback(Exception):
    """Raised at the end to undo everything the benchmark wrote."""


def cpu_seconds() -> float:
    """CPU time of this process (user and system): PDFs per CPU second is the figure per core,
    whatever else the machine runs meanwhile."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_kib() -> int:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure() -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    django.setup()
    from django.db import transaction

    from preau.core.actor import Actor
    from preau.directory.models import Establishment, Membership, Period, SchoolYear
    from preau.reportcards import actions
    from preau.reportcards.models import ClassCouncil, CouncilState, ReportCard
    from preau.reportcards.pdf import store_council_pdfs

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            college = Establishment.objects.get(name=COLLEGE)
            year = SchoolYear.current()
            head = next(
                m
                for m in Membership.objects.filter(establishment=college, school_year=year)
                .exclude(functions=[])
                .select_related("person")
                if "head" in m.functions
            )
            actor = Actor(head.person, {})
            # The period the demo opened for every class (this year's, with the grades' demo
            # marks), else the first one with no council yet.
            opened = ClassCouncil.objects.filter(
                establishment=college, school_year=year, state=CouncilState.DRAFT
            ).values("period")
            period = (
                Period.objects.filter(pk__in=opened).first()
                or Period.objects.filter(establishment=college, school_year=year)
                .exclude(pk__in=ClassCouncil.objects.values("period"))
                .order_by("start_date")
                .first()
            )
            actions.do_open_period(actor=actor, period=period)
            councils = list(
                ClassCouncil.objects.filter(period=period).select_related(
                    "period", "school_year", "school_class__head_teacher", "establishment"
                )
            )
            for council in councils:
                actions.do_validate(actor=actor, council=council)
                actions.do_publish(actor=actor, council=council)
            before = peak_rss_kib()
            times = []
            started, cpu = time.perf_counter(), cpu_seconds()
            for council in councils:
                lap = time.perf_counter()
                store_council_pdfs(council)
                times.append(time.perf_counter() - lap)
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
            cards = ReportCard.objects.filter(council__in=councils)
            sizes = [card.pdf.size for card in cards]
            result = {
                "report_cards": len(sizes),
                "classes": len(councils),
                "seconds": seconds,
                "per_second": len(sizes) / seconds if seconds else 0.0,
                "cpu_seconds": cpu,
                "per_cpu_second": len(sizes) / cpu if cpu else 0.0,
                "class_median_s": statistics.median(times) if times else 0.0,
                "peak_rss_before_kib": before,
                "peak_rss_after_kib": peak_rss_kib(),
                "pdf_kib": (sum(sizes) / len(sizes) / 1024) if sizes else 0.0,
            }
            raise Rollback
    except Rollback:
        pass
    return result


def main() -> None:
    json.dump(measure(), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
