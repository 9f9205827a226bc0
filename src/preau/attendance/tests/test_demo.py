"""The demo's attendance: built once however often the demo runs, and shown on the pages."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.db.models import RestrictedError
from django.urls import reverse

from preau.attendance import demo
from preau.attendance.models import (
    AbsenceReason,
    AttendanceRecord,
    HalfDay,
    Justification,
    RollCall,
)

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (AbsenceReason, RollCall, AttendanceRecord, HalfDay, Justification)
    )


def test_the_demo_is_built_once(cast: Any) -> None:
    demo.build(cast)
    built = counts()
    demo.build(cast)
    assert counts() == built
    for row in AttendanceRecord.objects.all():
        row.full_clean()
    assert AbsenceReason.objects.filter(establishment=cast.curie).exists()
    assert AttendanceRecord.objects.filter(student=cast.jade, lesson__isnull=True).exists()


def test_the_demo_shows_on_the_pages(cast: Any, client: Any) -> None:
    demo.build(cast)
    if not AttendanceRecord.objects.filter(student=cast.noah).exists():
        pytest.skip("No lesson before today in this school year yet.")
    client.force_login(cast.karim)
    page = html.unescape(client.get(reverse("attendance:records")).content.decode())
    assert "À justifier" in page
    home = client.get(reverse("portal:home")).content.decode()
    assert "Justifier une absence" in home
    client.force_login(cast.sophie)
    page = html.unescape(
        client.get(reverse("attendance:records") + f"?child={cast.lea.public_id}").content.decode()
    )
    assert "Justifiée" in page and "Maladie" in page


def test_the_demo_builds_on_the_timetables_demo(cast: Any) -> None:
    from preau.timetable import demo as timetable_demo
    from preau.timetable.models import Course

    timetable_demo.build(cast)
    courses = Course.objects.count()
    demo.build(cast)
    assert Course.objects.count() == courses  # no course of its own: the timetable's lessons
    assert RollCall.objects.exists()
    records = AttendanceRecord.objects.all()
    assert records.get(student=cast.noah).status == "unexplained"
    assert records.get(student=cast.lea).status == "justified"
    assert records.filter(student=cast.jade, kind="lateness").exists()
    assert records.filter(student=cast.jade, kind="absence", lesson__isnull=True).exists()


def test_a_lesson_with_a_roll_call_is_never_deleted(cast: Any) -> None:
    from preau.timetable.models import Lesson

    demo.build(cast)
    lesson = RollCall.objects.select_related("lesson").first().lesson
    with pytest.raises(RestrictedError):
        Lesson.objects.filter(pk=lesson.pk).delete()
