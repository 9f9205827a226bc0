"""Recording use as it happens, without a database write per request.

A visit is a page a signed-in person opens (a full HTML page; not the fragments htmx fetches,
redirects, files or errors). Visits are counted in this process's memory and written every
``FLUSH_SECONDS`` in one transaction: the visits as ``VisitCount`` rows (summed at aggregation),
and each person first seen since the last flush as a ``DailyVisitor`` row per day and
establishment, with the services they used as bits.

Counting in memory rather than in the cache keeps the figures right whatever the cache: with the
local-memory cache of the embedded setup the nightly aggregation runs in another process and
could not read a web process's cache, and updating a database counter on every request would
make SQLite's single writer the bottleneck. Visits are appended, never added to a shared
counter, so concurrent processes never contend on one row; a visitor's row is created once
(``ignore_conflicts``) and its bits set with a bitwise OR, which two processes may both do.
A process that stops loses at most its last minute of counts (less: it flushes at exit).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from preau.usage.nomenclature import BITS, profile_of, service_code

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 60

_lock = threading.Lock()
_counts: Counter[tuple[date, int, str, str]] = Counter()
# (day, establishment, person) -> (profile, services seen since the last flush)
_visitors: dict[tuple[date, int, int], tuple[str, int]] = {}
# What was already written today, so that a flush writes only what is new.
_written: dict[tuple[date, int, int], int] = {}
_last_flush = time.monotonic()


def count(*, day: date, establishment_id: int, person_id: int, service: str, profile: str) -> None:
    """Count one visit (memory only; the flush writes it)."""
    key = (day, establishment_id, person_id)
    bit = BITS[service]
    with _lock:
        _counts[(day, establishment_id, service, profile)] += 1
        if not _written.get(key, 0) & bit:
            _, bits = _visitors.get(key, (profile, 0))
            _visitors[key] = (profile, bits | bit)
        due = time.monotonic() - _last_flush >= FLUSH_SECONDS
    if due:
        flush()


def flush() -> int:
    """Write what this process counted since the last flush; the number of rows written."""
    global _last_flush
    from preau.usage.models import DailyVisitor, VisitCount

    with _lock:
        counts = dict(_counts)
        visitors = dict(_visitors)
        _counts.clear()
        _visitors.clear()
        _last_flush = time.monotonic()
    if not counts and not visitors:
        return 0
    rows = [
        VisitCount(day=day, establishment_id=est, service=service, profile=profile, visits=n)
        for (day, est, service, profile), n in counts.items()
    ]
    # People grouped by the bits to set, so that one UPDATE serves many of them.
    by_bits: dict[tuple[date, int, int], list[int]] = defaultdict(list)
    for (day, est, person), (_, bits) in visitors.items():
        by_bits[(day, est, bits)].append(person)
    try:
        with transaction.atomic():
            VisitCount.objects.bulk_create(rows)
            DailyVisitor.objects.bulk_create(
                [
                    DailyVisitor(day=day, establishment_id=est, person_id=person, profile=profile)
                    for (day, est, person), (profile, _) in visitors.items()
                ],
                ignore_conflicts=True,
            )
            for (day, est, bits), people in by_bits.items():
                DailyVisitor.objects.filter(
                    day=day, establishment_id=est, person_id__in=people
                ).update(services=F("services").bitor(bits))
    except DatabaseError:
        # Put them back: the next flush tries again.
        with _lock:
            _counts.update(counts)
            for key, (profile, bits) in visitors.items():
                _, more = _visitors.get(key, (profile, 0))
                _visitors[key] = (profile, bits | more)
        logger.exception("Usage counts could not be written; kept for the next flush.")
        return 0
    with _lock:
        today = timezone.localdate()
        for key in [key for key in _written if key[0] < today]:
            del _written[key]
        for key, (_, bits) in visitors.items():
            _written[key] = _written.get(key, 0) | bits
    return len(rows) + len(visitors)


def flush_at_exit() -> None:
    """The last flush of a process that stops; its database may be gone already."""
    try:
        flush()
    except Exception:  # nothing more can be done at exit
        logger.warning("Usage counts of this process could not be written at exit.")


def forget() -> None:
    """Drop what this process counted and wrote (each test starts from nothing)."""
    global _last_flush
    with _lock:
        _counts.clear()
        _visitors.clear()
        _written.clear()
        _last_flush = time.monotonic()


class UsageMiddleware:
    """Counts each request of a signed-in person towards a service and their profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            self._count(request, response)
        except DatabaseError:
            logger.exception("A visit could not be recorded.")
        return response

    def _count(self, request: HttpRequest, response: HttpResponse) -> None:
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            match is None
            or not match.namespaces
            or user is None
            or not user.is_authenticated
            or request.method != "GET"
            or response.status_code != 200
            or request.headers.get("HX-Request")
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return
        service = service_code(match.namespaces[0])
        if service is None:
            return
        actor: Any = getattr(request, "actor", None)
        # A full page has resolved the person's establishment already (the base template shows
        # it): counting must read nothing more, so a response that did not is not counted.
        if actor is None or "establishment" not in actor.__dict__:
            return
        establishment = actor.establishment
        if establishment is None:
            return
        count(
            day=timezone.localdate(),
            establishment_id=establishment.pk,
            person_id=user.pk,
            service=service,
            profile=profile_of(actor.profiles),
        )
