"""The roll call and the attendance under load.

``python -m preau.bench.attendance probe`` (in the benchmark's environment, on the demo school)
prints JSON: one roll call of a 30-student class saved through the page (M. Bernard's 4e B,
topped up to 30 students, in an extra lesson of now), with its queries, the queries of its
action alone, and the median server time; then the same with 10 students, to show the query
count does not follow the class size. Everything runs in a transaction rolled back at the end.

``python -m preau.bench.attendance storm-setup`` gives every teacher of the collège an extra
lesson of now in one of their classes (kept: the benchmark's database is dropped at the end) and
prints, for each, the roll call's address and the students to mark; and guardians of the
collège. ``storm`` then plays « the 8 o'clock storm » through the benchmark's gunicorn: every
teacher opens and saves their roll call at a random moment of one window while the guardians
keep opening their absences page. ``python -m preau.bench.attendance storm-check`` counts what
was saved.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

HOST = "127.0.0.1"
CLASS_SIZE = 30
GUARDIANS = 24


def _extra_lesson(*, establishment: Any, school_class: Any, subject: Any, teacher: Any) -> Any:
    from django.utils import timezone

    from preau.directory.models import SchoolYear
    from preau.timetable.models import Lesson, LessonStatus, LessonTeacher

    now = timezone.now()
    lesson = Lesson.objects.create(
        establishment=establishment,
        school_year=SchoolYear.current(),
        school_class=school_class,
        subject=subject,
        date=timezone.localdate(),
        start=now - timedelta(minutes=2),
        end=now + timedelta(minutes=53),
        status=LessonStatus.EXTRA,
    )
    LessonTeacher.objects.create(establishment=establishment, lesson=lesson, teacher=teacher)
    return lesson


def _top_up(school_class: Any, size: int) -> int:
    """Students added to (or left out of) the class so that it has ``size``."""
    from django.contrib.auth import get_user_model

    from preau.directory.models import Enrolment

    enrolments = Enrolment.objects.filter(
        school_class=school_class, school_year_id=school_class.school_year_id
    )
    have = enrolments.count()
    if have > size:
        extra = list(enrolments.order_by("-id").values_list("pk", flat=True)[: have - size])
        Enrolment.objects.filter(pk__in=extra).delete()
        return size
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(username=f"bench.eleve{i}", first_name="Élève", last_name=f"B{i:02d}")
            for i in range(size - have)
        ]
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                establishment_id=school_class.establishment_id,
                school_year_id=school_class.school_year_id,
                student=user,
                school_class=school_class,
            )
            for user in users
        ]
    )
    return size


def _save(client: Any, path: str, students: list[Any], round_number: int) -> Any:
    """Post the roll call: three absent and two late, a different five each round."""
    data = {}
    chosen = [students[(round_number + i) % len(students)] for i in range(5)]
    for i, student in enumerate(chosen):
        data[f"s-{student.public_id}"] = "absent" if i < 3 else "late"
        data[f"m-{student.public_id}"] = "5" if i >= 3 else ""
    return client.post(path, data)


def _measure_class(size: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from preau.attendance import actions
    from preau.attendance.selectors import lesson_students
    from preau.core.actor import Actor
    from preau.demo.cast import Cast
    from preau.directory.models import Subject

    cast = Cast.load()
    _top_up(cast.class_4b, size)
    subject = Subject.objects.get(establishment=cast.moulin, code="061300")
    lesson = _extra_lesson(
        establishment=cast.moulin, school_class=cast.class_4b, subject=subject, teacher=cast.bernard
    )
    students = lesson_students(lesson)
    client = Client(HTTP_HOST=HOST)
    client.force_login(cast.bernard)
    path = reverse("attendance:roll_call", args=[lesson.public_id])
    client.get(path)  # the process's caches warm, as on a server
    with CaptureQueriesContext(connection) as request_queries:
        response = _save(client, path, students, 0)
    page_queries = [q for q in request_queries.captured_queries if "django_session" not in q["sql"]]
    with CaptureQueriesContext(connection) as action_queries:
        actions.do_save_roll_call(
            actor=Actor(cast.bernard, {}),
            lesson=lesson,
            marks={str(students[9].public_id): actions.MarkInput("absent")},
        )
    # Counted now: every request of the client clears the connection's query log.
    action_count = len(action_queries.captured_queries)
    times = []
    for round_number in range(1, 31):
        started = time.perf_counter()
        _save(client, path, students, round_number)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "students": len(students),
        "status": response.status_code,
        "request_queries": len(page_queries),
        "action_queries": action_count,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(sorted(times)[int(0.95 * len(times)) - 1], 1),
    }


def probe() -> dict[str, Any]:
    from django.db import transaction

    result = {}
    for size in (CLASS_SIZE, 10):
        with transaction.atomic():
            result[str(size)] = _measure_class(size)
            transaction.set_rollback(True)
    return result


def storm_setup() -> dict[str, Any]:
    from django.urls import reverse

    from preau.attendance.selectors import lesson_students
    from preau.demo.cast import Cast
    from preau.directory.models import (
        Guardianship,
        Membership,
        Profile,
        SchoolYear,
        TeachingAssignment,
    )

    cast = Cast.load()
    teachers = []
    members = Membership.objects.filter(
        establishment=cast.moulin, profile=Profile.TEACHER, is_active=True
    ).select_related("person")
    for membership in members.order_by("person__username"):
        assignment = (
            TeachingAssignment.objects.filter(
                teacher=membership.person,
                establishment=cast.moulin,
                school_year=SchoolYear.current(),
                school_class__isnull=False,
            )
            .select_related("school_class", "subject")
            .order_by("id")
            .first()
        )
        if assignment is None:
            continue
        lesson = _extra_lesson(
            establishment=cast.moulin,
            school_class=assignment.school_class,
            subject=assignment.subject,
            teacher=membership.person,
        )
        students = lesson_students(lesson)
        if len(students) < 3:
            continue
        teachers.append(
            {
                "username": membership.person.username,
                "path": reverse("attendance:roll_call", args=[lesson.public_id]),
                "absent": [str(s.public_id) for s in students[:2]],
                "late": [str(students[2].public_id)],
            }
        )
    guardians = list(
        Guardianship.objects.filter(student__enrolments__establishment=cast.moulin)
        .order_by("guardian__username")
        .values_list("guardian__username", flat=True)
        .distinct()[:GUARDIANS]
    )
    return {"teachers": teachers, "guardians": guardians}


def storm_check(paths: list[str]) -> dict[str, Any]:
    from preau.attendance.models import RollCall
    from preau.notifications.models import Kind, Notification

    ids = [path.rstrip("/").rsplit("/", 1)[-1] for path in paths]
    return {
        "roll_calls": RollCall.objects.filter(lesson__public_id__in=ids).count(),
        "notifications": Notification.objects.filter(kind=Kind.ABSENCE).count(),
    }


# -- the storm, from the client's side -----------------------------------------------------------


@dataclass
class Timings:
    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    def add(self, ok: bool, seconds: float) -> None:
        if ok:
            self.ok += 1
            self.latencies.append(seconds)
        else:
            self.errors += 1

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _call(
    port: int, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, str, float]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, text, time.perf_counter() - started
    except (OSError, http.client.HTTPException):
        return 0, "", time.perf_counter() - started
    finally:
        connection.close()


def storm(
    port: int,
    teachers: list[dict[str, Any]],
    teacher_cookies: dict[str, dict[str, str]],
    guardian_cookies: list[str],
    window: float,
) -> dict[str, Any]:
    """Every teacher opens then saves their roll call at a random moment of ``window`` seconds
    while each guardian keeps opening their absences page; returns the timings."""
    pages, saves, absences = Timings(), Timings(), Timings()
    lock = threading.Lock()
    rng = random.Random(8)  # noqa: S311 - the same moments every run, not a secret
    start = time.monotonic() + 0.5
    deadline = start + window

    def teacher(spec: dict[str, Any], offset: float) -> None:
        jar = teacher_cookies[spec["username"]]
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        time.sleep(max(0.0, start + offset - time.monotonic()))
        status, text, seconds = _call(port, "GET", spec["path"], {"Cookie": cookie})
        with lock:
            pages.add(status == 200, seconds)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        form = {"csrfmiddlewaretoken": token.group(1) if token else ""}
        form.update({f"s-{key}": "absent" for key in spec["absent"]})
        form.update({f"s-{key}": "late" for key in spec["late"]})
        form.update({f"m-{key}": "7" for key in spec["late"]})
        status, _text, seconds = _call(
            port,
            "POST",
            spec["path"],
            {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            urllib.parse.urlencode(form),
        )
        with lock:
            saves.add(status == 302, seconds)

    def guardian(cookie: str) -> None:
        time.sleep(max(0.0, start - time.monotonic()))
        while time.monotonic() < deadline:
            status, _text, seconds = _call(port, "GET", "/attendance/absences/", {"Cookie": cookie})
            with lock:
                absences.add(status == 200, seconds)

    threads = [
        threading.Thread(target=teacher, args=(spec, rng.uniform(0, window * 0.9)))
        for spec in teachers
    ] + [threading.Thread(target=guardian, args=(cookie,)) for cookie in guardian_cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(window, time.monotonic() - start)
    total = pages.ok + saves.ok + absences.ok
    return {
        "seconds": elapsed,
        "pages": pages,
        "saves": saves,
        "absences": absences,
        "throughput": total / elapsed,
        "errors": pages.errors + saves.errors + absences.errors,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    import django

    django.setup()
    command = sys.argv[1] if len(sys.argv) > 1 else "probe"
    if command == "storm-setup":
        print(json.dumps(storm_setup()))
    elif command == "storm-check":
        print(json.dumps(storm_check(json.loads(sys.argv[2]))))
    else:
        print(json.dumps(probe()))


if __name__ == "__main__":
    main()
