"""The import's queries are per batch of records, not per person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from preau.directory.models import Academy
from preau.feeds.actions import describe_file, feed_files, import_file
from preau.feeds.tests.test_refusals import STRUCTURES, TEACHER, student, students


def delta(tmp_path: Path, name: str, first: int, count: int) -> Path:
    path = tmp_path / f"ENT_Delta_{name}_Eleve_0000.xml"
    # each student in two groups: one of every student, one of their own
    records = [
        student(f"E{n}", groups=("1001$LATIN", f"1001$G{n}")) for n in range(first, first + count)
    ]
    path.write_text(students(*records), encoding="utf-8")
    return path


def queries_of(path: Path, academy: Academy) -> int:
    with CaptureQueriesContext(connection) as captured:
        log = import_file(describe_file(path), academy=academy)
    assert not log.error, log.error
    return len(captured)


def test_the_queries_do_not_grow_with_the_records(db: Any, tmp_path: Path) -> None:
    academy = Academy.objects.create(code="GRENOBLE", name="Académie de Grenoble")
    for feed in feed_files(STRUCTURES):
        import_file(feed, academy=academy)
    queries_of(delta(tmp_path, "20260902", 1, 1), academy)  # makes the class and its level
    ten = queries_of(delta(tmp_path, "20260903", 100, 10), academy)
    forty = queries_of(delta(tmp_path, "20260904", 200, 40), academy)
    assert forty == ten
    # accounts, memberships, enrolments, guardianships and the guardians' memberships, each
    # read once and written in bulk, plus the import's own log and its list of ids met
    assert ten <= 40


def staff_delta(tmp_path: Path, name: str, first: int, count: int) -> Path:
    path = tmp_path / f"ENT_Delta_{name}_PersEducNat_0000.xml"
    # each teacher teaches a group of their own, in a subject every teacher shares
    records = [
        TEACHER.format(id=f"P{n}", value=f"1001$G{n}$021000") for n in range(first, first + count)
    ]
    path.write_text(students(*records), encoding="utf-8")
    return path


def test_the_queries_for_teachers_groups_do_not_grow_with_the_records(
    db: Any, tmp_path: Path
) -> None:
    academy = Academy.objects.create(code="GRENOBLE", name="Académie de Grenoble")
    for feed in feed_files(STRUCTURES):
        import_file(feed, academy=academy)
    queries_of(staff_delta(tmp_path, "20260902", 1, 1), academy)  # makes the subject
    ten = queries_of(staff_delta(tmp_path, "20260903", 100, 10), academy)
    forty = queries_of(staff_delta(tmp_path, "20260904", 200, 40), academy)
    assert forty == ten
    assert ten <= 40
