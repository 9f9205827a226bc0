"""The school office's console: courses, the zone and weeks A/B, closed days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import log_in_with_second_factor
from preau.timetable.models import ClosedDay, Course, Lesson, TimetableSettings
from preau.timetable.schoolcalendar import public_holidays
from preau.timetable.tests.helpers import moulin_week

pytestmark = pytest.mark.django_db


def url(name, cast, **kwargs):
    return reverse(f"timetable:{name}", kwargs={"public_id": cast.moulin.public_id, **kwargs})


def next_monday():
    """The next Monday with lessons (not a public holiday)."""
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    while monday in public_holidays(monday.year):
        monday += timedelta(days=7)
    return monday


def test_the_head_creates_a_course_with_its_lessons(cast, client):
    log_in_with_second_factor(client, cast.principal_moulin)
    maths = cast.moulin.subject_set.get(code="061300")
    data = {
        "school_class": cast.class_3a.public_id,
        "subject": maths.public_id,
        "teachers": [cast.bernard.public_id],
        "room": "B12",
        "weekday": "3",
        "start_time": "10:00",
        "end_time": "09:00",
        "weeks": "every",
    }
    response = client.post(url("course_create", cast), data)
    assert "La fin doit être après le début." in response.content.decode()
    assert not Course.objects.exists()
    data["end_time"] = "11:00"
    assert client.post(url("course_create", cast), data).status_code == 302
    course = Course.objects.get()
    assert Lesson.objects.filter(course=course).count() > 30
    # Another establishment's teacher cannot be chosen.
    data["teachers"] = [cast.dupont.public_id]
    response = client.post(url("course_create", cast), data)
    assert response.status_code == 200 and Course.objects.count() == 1


def test_a_closed_day_removes_its_lessons_and_giving_it_back_restores_them(cast, client):
    week = moulin_week(cast)
    monday = next_monday()
    maths = Lesson.objects.get(course=week["maths_4b"], slot=monday)
    client.force_login(cast.cpe_moulin)
    page = url("school_calendar", cast)
    response = client.post(
        page,
        {
            "form": "closed",
            "closed-day": monday.isoformat(),
            "closed-kind": "pedagogical",
            "closed-label": "Journée pédagogique",
        },
    )
    assert response.status_code == 302
    assert ClosedDay.objects.filter(establishment=cast.moulin, day=monday).exists()
    assert not Lesson.objects.filter(pk=maths.pk).exists()
    client.post(page, {"form": "remove_closed", "day": monday.isoformat()})
    assert Lesson.objects.filter(course=week["maths_4b"], slot=monday).exists()


def test_the_zone_and_first_week_a_are_saved_and_lessons_follow(cast, client):
    week = moulin_week(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(url("manage", cast), {"zone": "C", "week_a_start": "2026-09-02"})
    assert "Choisissez un lundi." in response.content.decode()
    monday = next_monday()
    response = client.post(url("manage", cast), {"zone": "C", "week_a_start": monday.isoformat()})
    assert response.status_code == 302
    assert TimetableSettings.objects.get(establishment=cast.moulin).week_a_start == monday
    assert Lesson.objects.filter(course=week["maths_4b"], slot=monday).exists()


def test_removing_a_course_from_the_console(cast, client):
    week = moulin_week(cast)
    course = week["french_4b"]
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(url("course_remove", cast, course_id=course.public_id))
    assert response.status_code == 302
    assert not Lesson.objects.filter(course=course, start__gt=timezone.now()).exists()
