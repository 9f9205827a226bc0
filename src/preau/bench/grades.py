"""The grades under load.

``python -m preau.bench.grades probe`` (in the benchmark's environment, on the demo school)
prints JSON: M. Bernard's maths grid of 4e B, topped up to 30 students, with 10 assessments as
columns (the page's queries and median server time, and a save of a whole column through the
action), then the averages of 4e B across all its subjects (the selector and the page); the
same with 10 students, to show the query counts do not follow the class size. Everything runs
in a transaction rolled back at the end.

``python -m preau.bench.grades burst-setup`` publishes, now, one new assessment with marks in
every class of the collège, and signs in 40% of the collège's guardians (sessions made
in-process, not through the password hasher, which c) of the benchmark measures); it prints
each guardian's session cookie and the address of their child's « Notes » page. ``burst``
then plays the publication hour: every one of them opens that page at a random moment of a
window standing for ten minutes (compressed in time).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from preau.bench.attendance import HOST, Timings, _call, _top_up

CLASS_SIZE = 30
ASSESSMENTS = 10
SHARE = 0.4
ROUNDS = 20


def _median_ms(call: Any, rounds: int = ROUNDS) -> tuple[float, float]:
    times = []
    for _round in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    return round(statistics.median(times), 1), round(ordered[int(0.95 * len(ordered)) - 1], 1)


def _queries(call: Any) -> tuple[int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        result = call()
    return len([q for q in context.captured_queries if "django_session" not in q["sql"]]), result


def _measure(size: int) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from preau.core.actor import Actor
    from preau.demo.cast import Cast
    from preau.directory.models import Subject, TeachingAssignment
    from preau.grades import actions, selectors
    from preau.grades.models import Assessment
    from preau.grades.selectors import students_of

    cast = Cast.load()
    _top_up(cast.class_4b, size)
    bernard = Actor(cast.bernard, {})
    maths = Subject.objects.get(establishment=cast.moulin, code="061300")
    assignment = TeachingAssignment.objects.get(
        teacher=cast.bernard, school_class=cast.class_4b, subject=maths
    )
    students = students_of(cast.class_4b.pk, None, cast.class_4b.school_year_id)
    # The grid's columns: the period's maths assessments of 4e B, completed to ten.
    today = timezone.localdate()
    period = selectors.period_of(cast.moulin.pk, cast.class_4b.school_year_id, today)
    have = Assessment.objects.filter(
        school_class=cast.class_4b, subject=maths, period=period, graded=True
    ).count()
    column_ms = []
    column_queries = 0
    for index in range(max(0, ASSESSMENTS - have)):
        exam = actions.do_create_assessment(
            actor=bernard,
            subject=maths,
            school_class=cast.class_4b,
            data=actions.AssessmentInput(title=f"Banc {index}", date=today),
        )
        values = {str(s.public_id): str((index * 3 + i) % 21) for i, s in enumerate(students)}
        started = time.perf_counter()
        column_queries, _saved = _queries(
            lambda exam=exam, values=values: actions.record_marks(bernard, exam, values)
        )
        column_ms.append((time.perf_counter() - started) * 1000)
    client = Client(HTTP_HOST=HOST)
    client.force_login(cast.bernard)
    grid = reverse("grades:assignment_grid", args=[assignment.public_id])
    client.get(grid)  # the process's caches warm, as on a server
    grid_queries, response = _queries(lambda: client.get(grid))
    columns = response.content.decode().count('<th scope="col"><a href="/grades/assessments/')
    grid_median, grid_p95 = _median_ms(lambda: client.get(grid))

    table_queries, table = _queries(lambda: selectors.class_table(cast.class_4b, period))
    table_median, _p95 = _median_ms(lambda: selectors.class_table(cast.class_4b, period))
    averages = reverse("grades:class", args=[cast.class_4b.public_id])
    client.get(averages)
    page_queries, _response = _queries(lambda: client.get(averages))
    page_median, page_p95 = _median_ms(lambda: client.get(averages))
    # Léa's « Notes » page: the first visit computes the class's published averages, the next
    # ones (every family of the class at the publication hour) read them from the cache.
    family = Client(HTTP_HOST=HOST)
    family.force_login(cast.lea)
    marks_path = reverse("grades:marks")
    first_queries, _response = _queries(lambda: family.get(marks_path))
    marks_queries, _response = _queries(lambda: family.get(marks_path))
    marks_median, marks_p95 = _median_ms(lambda: family.get(marks_path))
    return {
        "students": len(students),
        "columns": columns,
        "marks_page_first_queries": first_queries,
        "marks_page_queries": marks_queries,
        "marks_page_ms": marks_median,
        "marks_page_p95_ms": marks_p95,
        "grid_status": response.status_code,
        "grid_queries": grid_queries,
        "grid_ms": grid_median,
        "grid_p95_ms": grid_p95,
        "column_save_queries": column_queries,
        "column_save_ms": round(statistics.median(column_ms), 1) if column_ms else 0.0,
        "subjects": len(table.subjects),
        "marks": sum(len(line.marks) for row in table.rows for line in row.subjects),
        "table_queries": table_queries,
        "table_ms": table_median,
        "averages_page_queries": page_queries,
        "averages_page_ms": page_median,
        "averages_page_p95_ms": page_p95,
    }


def probe() -> dict[str, Any]:
    from django.db import transaction

    result = {}
    for size in (CLASS_SIZE, 10):
        with transaction.atomic():
            result[str(size)] = _measure(size)
            transaction.set_rollback(True)
    return result


def burst_setup() -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from preau.core.actor import Actor
    from preau.demo.cast import Cast
    from preau.directory.models import Enrolment, Guardianship, SchoolYear, TeachingAssignment
    from preau.grades import actions
    from preau.grades.selectors import students_of

    cast = Cast.load()
    today = timezone.localdate()
    published = 0
    # This year's classes only: the demo keeps last year's, whose assessments are closed.
    assignments = (
        TeachingAssignment.objects.filter(
            establishment=cast.moulin, school_year=SchoolYear.current(), school_class__isnull=False
        )
        .select_related("school_class", "subject", "teacher")
        .order_by("school_class__name", "subject__code")
    )
    done: set[int] = set()
    for assignment in assignments:
        if assignment.school_class_id in done:
            continue
        done.add(assignment.school_class_id)
        teacher = Actor(assignment.teacher, {})
        exam = actions.do_create_assessment(
            actor=teacher,
            subject=assignment.subject,
            school_class=assignment.school_class,
            data=actions.AssessmentInput(title="Contrôle publié", date=today, scale=Decimal(20)),
        )
        students = students_of(assignment.school_class_id, None, assignment.school_year_id)
        actions.record_marks(
            teacher, exam, {str(s.public_id): str(8 + i % 12) for i, s in enumerate(students)}
        )
        actions.do_publish_now(
            actor=teacher, assessment=exam, now=timezone.now() - timedelta(seconds=1)
        )
        published += 1
    children = dict(
        Enrolment.objects.filter(establishment=cast.moulin).values_list(
            "student_id", "student__public_id"
        )
    )
    links = (
        Guardianship.objects.filter(student_id__in=list(children), guardian__is_active=True)
        .select_related("guardian")
        .order_by("guardian__username", "student_id")
    )
    by_guardian: dict[int, tuple[Any, Any]] = {}
    for link in links:
        by_guardian.setdefault(link.guardian_id, (link.guardian, children[link.student_id]))
    rng = random.Random(40)  # noqa: S311 - the same guardians every run, not a secret
    chosen = rng.sample(sorted(by_guardian), int(len(by_guardian) * SHARE))
    path = reverse("grades:marks")
    visitors = []
    for guardian_id in chosen:
        guardian, child = by_guardian[guardian_id]
        client = Client(HTTP_HOST=HOST)
        client.force_login(guardian)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        visitors.append({"cookie": cookie, "path": f"{path}?child={child}"})
    return {"guardians": len(by_guardian), "published": published, "visitors": visitors}


def burst(port: int, visitors: list[dict[str, str]], window: float) -> dict[str, Any]:
    """Each visitor opens their child's marks page once, at a random moment of ``window``."""
    pages = Timings()
    wrong = 0
    lock = threading.Lock()
    rng = random.Random(18)  # noqa: S311 - the same moments every run, not a secret
    start = time.monotonic() + 0.5

    def visit(spec: dict[str, str], offset: float) -> None:
        nonlocal wrong
        time.sleep(max(0.0, start + offset - time.monotonic()))
        status, text, seconds = _call(port, "GET", spec["path"], {"Cookie": spec["cookie"]})
        ok = status == 200 and "Contrôle publié" in text
        with lock:
            pages.add(ok, seconds)
            if status == 200 and not ok:
                wrong += 1

    threads = [
        threading.Thread(target=visit, args=(spec, rng.uniform(0, window))) for spec in visitors
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(window, time.monotonic() - start)
    return {
        "seconds": elapsed,
        "window": window,
        "pages": pages,
        "throughput": pages.ok / elapsed,
        "errors": pages.errors,
        "without_the_new_mark": wrong,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    import django

    django.setup()
    command = sys.argv[1] if len(sys.argv) > 1 else "probe"
    if command == "burst-setup":
        print(json.dumps(burst_setup()))
    else:
        print(json.dumps(probe()))


if __name__ == "__main__":
    main()
