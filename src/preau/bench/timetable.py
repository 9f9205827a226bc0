"""The timetable's week view and iCalendar feed: query counts that do not grow with the weeks
and lessons shown, and their throughput.

``python -m preau.bench.timetable`` (in the benchmark's environment, on the demo school) prints
JSON: the queries of eleve.noah's week view and of his feed, before and after the timetable is
doubled (every course of 4e B copied: twice the lessons in the week and in the feed, which spans
the rest of the school year), with the in-process server time of each request. The doubling
runs in a transaction rolled back at the end. ``measure`` then loads both through the
benchmark's gunicorn.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

from preau.bench.load import LoadResult, run_load

STUDENT = "eleve.noah"


def forget() -> None:
    from django.core.cache import cache

    from preau.timetable.feeds import cache_key
    from preau.timetable.models import TimetableFeed

    cache.delete_many([cache_key(feed) for feed in TimetableFeed.objects.all()])


def _count(client: Any, path: str) -> tuple[int, int, float]:
    """Status, queries (without the session's) and server milliseconds of one GET, with the
    process's caches warm but the built feed dropped (``forget``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    forget()
    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    queries = [q for q in context.captured_queries if '"django_session"' not in q["sql"]]
    return response.status_code, len(queries), elapsed


def _timed(client: Any, path: str, rounds: int = 30) -> float:
    """Median server milliseconds of a request, the built feed dropped before each."""
    times = []
    for _ in range(rounds):
        forget()
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def probe() -> dict[str, Any]:
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from preau.demo.cast import Cast
    from preau.timetable import feeds
    from preau.timetable.generation import sync_lessons
    from preau.timetable.models import Course, CourseTeacher, Lesson

    cast = Cast.load()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(cast.noah)
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    week = f"{reverse('timetable:index')}?date={monday.isoformat()}"
    feed = feeds.feed_for(person=cast.noah, establishment=cast.moulin)
    feed_path = reverse(
        "timetable:feed", kwargs={"public_id": feed.public_id, "token": feeds.token_of(feed)}
    )
    result: dict[str, Any] = {}

    def snapshot(label: str) -> None:
        lessons = Lesson.objects.filter(school_class=cast.class_4b).count()
        week_status, week_queries, _ms = _count(client, week)
        feed_status, feed_queries, _ms = _count(client, feed_path)
        result[label] = {
            "lessons_of_4e_b": lessons,
            "week_status": week_status,
            "week_queries": week_queries,
            "week_ms": round(_timed(client, week), 1),
            "feed_status": feed_status,
            "feed_queries": feed_queries,
            "feed_ms": round(_timed(client, feed_path, 10), 1),
            "feed_bytes": len(client.get(feed_path).content),
        }

    snapshot("demo")
    with transaction.atomic():
        courses = list(
            Course.objects.filter(school_class=cast.class_4b)
            .select_related("school_year", "establishment")
            .prefetch_related("teachers")
        )
        copies = []
        for course in courses:
            copy = Course(
                establishment=course.establishment,
                school_year=course.school_year,
                school_class=course.school_class,
                subject=course.subject,
                room=f"{course.room}bis",
                weekday=course.weekday,
                start_time=course.start_time,
                end_time=course.end_time,
                weeks=course.weeks,
            )
            copy.teacher_list = list(course.teachers.all())
            copies.append(copy)
        Course.objects.bulk_create(copies)
        CourseTeacher.objects.bulk_create(
            [
                CourseTeacher(establishment=c.establishment, course=c, teacher=t)
                for c in copies
                for t in c.teacher_list
            ]
        )
        sync_lessons(copies)
        snapshot("doubled")
        transaction.set_rollback(True)
    return result


def measure(port: int, cookie: str, feed_path: str, seconds: float) -> dict[str, LoadResult]:
    """Requests per second on the week view (as the student) and on the feed (no login)."""
    week = {"Cookie": cookie}
    out = {}
    for label, path, headers in (
        ("week", "/timetable/", week),
        ("feed", feed_path, {}),
    ):
        run_load("127.0.0.1", port, path, headers=headers, seconds=min(3.0, seconds))
        out[label] = run_load("127.0.0.1", port, path, headers=headers, seconds=seconds)
    return out


def feed_path() -> str:
    """The student's feed address (run in the benchmark's environment)."""
    from django.urls import reverse

    from preau.demo.cast import Cast
    from preau.timetable import feeds

    cast = Cast.load()
    feed = feeds.feed_for(person=cast.noah, establishment=cast.moulin)
    return reverse(
        "timetable:feed", kwargs={"public_id": feed.public_id, "token": feeds.token_of(feed)}
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    import django

    django.setup()
    command = sys.argv[1] if len(sys.argv) > 1 else "probe"
    if command == "feed-path":
        print(json.dumps({"path": feed_path()}))
    else:
        print(json.dumps(probe()))


if __name__ == "__main__":
    main()
