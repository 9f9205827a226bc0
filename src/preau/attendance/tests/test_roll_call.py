"""The roll call: taken by the lesson's teacher on the day, then by school life only; one
transaction and a fixed number of queries whatever the class size."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from preau.attendance import actions
from preau.attendance.models import AttendanceRecord, HalfDay, RecordKind, RollCall
from preau.attendance.selectors import lesson_students
from preau.attendance.tests.helpers import actor_for, at, build_week, grow_class
from preau.audit.models import AuditEntry
from preau.core.testing import query_budget
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def url(lesson: Any) -> str:
    return reverse("attendance:roll_call", args=[lesson.public_id])


def post(client: Any, lesson: Any, marks: dict[Any, tuple[str, str]]) -> Any:
    data = {}
    for student, (state, minutes) in marks.items():
        data[f"s-{student.public_id}"] = state
        data[f"m-{student.public_id}"] = minutes
    return client.post(url(lesson), data)


def test_the_teacher_marks_absent_and_late_and_the_family_is_told(cast: Any, client: Any) -> None:
    week = build_week(cast)
    client.force_login(cast.bernard)
    with at(week.monday, "08:05"):
        page = client.get(url(week.maths_4b)).content.decode()
        assert "Leroy Noah" in page and "Martin Léa" in page
        assert "tout le monde est présent par défaut" in page
        response = post(
            client, week.maths_4b, {cast.noah: ("absent", ""), cast.lea: ("late", "10")}
        )
    assert response.status_code == 302
    records = {r.student_id: r for r in AttendanceRecord.objects.all()}
    assert records[cast.noah.pk].kind == RecordKind.ABSENCE
    assert (records[cast.lea.pk].kind, records[cast.lea.pk].minutes) == (RecordKind.LATENESS, 10)
    assert HalfDay.objects.get().student_id == cast.noah.pk
    told = Notification.objects.filter(kind=Kind.ABSENCE)
    assert [n.recipient_id for n in told] == [cast.karim.pk]  # Léa was late, not absent
    assert "Noah" not in told[0].title  # one notification text for every family
    # Saved again the same day: Noah came after all. His absence goes, nobody is told twice.
    with at(week.monday, "08:20"):
        post(client, week.maths_4b, {cast.lea: ("late", "10")})
    assert list(AttendanceRecord.objects.values_list("student_id", flat=True)) == [cast.lea.pk]
    assert not HalfDay.objects.exists()
    assert told.count() == 1
    assert RollCall.objects.get().taken_by == cast.bernard


def test_a_lesson_that_is_not_the_teachers_is_404(cast: Any, client: Any) -> None:
    week = build_week(cast)
    with at(week.monday + timedelta(days=1), "09:05"):
        # Mme Garcia teaches 4e B, but not this lesson; M. Bernard not hers.
        client.force_login(cast.garcia)
        assert client.get(url(week.maths_4b)).status_code == 404
        assert post(client, week.maths_4b, {cast.noah: ("absent", "")}).status_code == 404
        client.force_login(cast.bernard)
        assert client.get(url(week.french_4b)).status_code == 404
        for other in (cast.noah, cast.karim, cast.principal_curie, cast.dupont):
            client.force_login(other)
            assert client.get(url(week.french_4b)).status_code == 404
    assert not RollCall.objects.exists()


def test_after_its_day_only_school_life_changes_a_roll_call(cast: Any, client: Any) -> None:
    week = build_week(cast)
    client.force_login(cast.bernard)
    with at(week.monday, "08:05"):
        post(client, week.maths_4b, {cast.noah: ("absent", "")})
    with at(week.monday + timedelta(days=1), "08:00"):
        page = client.get(url(week.maths_4b)).content.decode()
        assert "seule la vie scolaire peut le corriger" in page
        response = post(client, week.maths_4b, {})
        assert response.status_code == 400
        assert AttendanceRecord.objects.filter(student=cast.noah).exists()
        client.force_login(cast.cpe_moulin)
        assert post(client, week.maths_4b, {}).status_code == 302
    assert not AttendanceRecord.objects.exists()
    entry = AuditEntry.objects.get(action="attendance.roll_call_changed")
    assert entry.actor == cast.cpe_moulin
    assert "Absence" in str(entry.before)


def test_a_roll_call_opens_a_quarter_of_an_hour_before_the_lesson(cast: Any, client: Any) -> None:
    week = build_week(cast)
    client.force_login(cast.bernard)
    with at(week.monday, "07:30"):
        assert post(client, week.maths_4b, {cast.noah: ("absent", "")}).status_code == 400
    with at(week.monday, "07:46"):
        assert post(client, week.maths_4b, {cast.noah: ("absent", "")}).status_code == 302


@pytest.mark.parametrize("minutes", ["", "0", "-3", "abc", "61", "500"])
def test_late_minutes_must_be_within_the_lesson(cast: Any, client: Any, minutes: str) -> None:
    week = build_week(cast)
    client.force_login(cast.bernard)
    with at(week.monday, "08:30"):
        response = post(
            client, week.maths_4b, {cast.noah: ("absent", ""), cast.lea: ("late", minutes)}
        )
    assert response.status_code == 400
    assert "Un retard se compte en minutes, de 1 à 60." in response.content.decode()
    # Nothing half-written: not Noah's absence, not even the roll call.
    assert not RollCall.objects.exists() and not AttendanceRecord.objects.exists()


def test_an_unknown_state_is_refused(cast: Any, client: Any) -> None:
    week = build_week(cast)
    client.force_login(cast.bernard)
    with at(week.monday, "08:30"):
        response = post(client, week.maths_4b, {cast.noah: ("vanished", "")})
    assert response.status_code == 400
    assert not RollCall.objects.exists()


def test_a_cancelled_lesson_has_no_roll_call(cast: Any, client: Any) -> None:
    week = build_week(cast)
    week.maths_4b.status = "cancelled"
    week.maths_4b.save(update_fields=["status"])
    client.force_login(cast.bernard)
    with at(week.monday, "08:30"):
        assert post(client, week.maths_4b, {cast.noah: ("absent", "")}).status_code == 400
    assert not RollCall.objects.exists()


def test_an_absence_school_life_entered_is_not_counted_twice(cast: Any, client: Any) -> None:
    week = build_week(cast)
    client.force_login(cast.cpe_moulin)
    monday = week.monday.isoformat()
    with at(week.monday, "07:30"):
        client.post(
            reverse("attendance:enter"),
            {
                "student": cast.noah.public_id,
                "kind": "absence",
                "start_day": monday,
                "start_time": "08:00",
                "end_day": (week.monday + timedelta(days=1)).isoformat(),
                "end_time": "18:00",
            },
        )
    client.force_login(cast.bernard)
    with at(week.monday, "08:05"):
        page = client.get(url(week.maths_4b)).content.decode()
        assert "absence signalée par la vie scolaire" in page
        post(client, week.maths_4b, {cast.noah: ("absent", "")})
    assert AttendanceRecord.objects.filter(student=cast.noah).count() == 1


def _save_and_page(client: Any, lesson: Any, students: list[Any]) -> tuple[int, int]:
    marks = dict.fromkeys(students[:3], ("absent", ""))
    marks.update(dict.fromkeys(students[3:5], ("late", "5")))
    with query_budget(SAVE_QUERIES):
        assert post(client, lesson, marks).status_code == 302
    with query_budget(PAGE_QUERIES):
        assert client.get(url(lesson)).status_code == 200
    return SAVE_QUERIES, PAGE_QUERIES


# Saving: the user, the school year, the memberships, the services switched on, the lesson and
# its teachers; then the action: whether the school year is closed, the students, the roll call
# (locked) and its creation, its records, the covering absences, one insert per table, the
# guardians, the notification (quiet hours, preferences, insert) and the savepoints.
# The page, right after (the year already known): the user, the memberships, the lesson and
# its teachers, the roll call, the students, the covering absences, the records.
SAVE_QUERIES = 22
PAGE_QUERIES = 8


@pytest.mark.parametrize("size", [5, 30])
def test_saving_a_roll_call_costs_the_same_for_5_or_30_students(
    cast: Any, client: Any, size: int
) -> None:
    week = build_week(cast)
    grow_class(cast, size)
    students = sorted(lesson_students(week.maths_4b), key=lambda s: s.pk)
    assert len(students) == size
    client.force_login(cast.bernard)
    with at(week.monday, "08:05"):
        _save_and_page(client, week.maths_4b, students)
    assert AttendanceRecord.objects.count() == 5


def test_a_student_of_another_class_is_refused_and_nothing_written(cast: Any) -> None:
    week = build_week(cast)
    with at(week.monday, "08:05"), pytest.raises(ValidationError):
        actions.do_save_roll_call(
            actor=actor_for(cast.bernard),
            lesson=week.maths_4b,
            marks={
                cast.noah.pk: actions.MarkInput("absent"),
                cast.jade.pk: actions.MarkInput("absent"),
            },
        )
    assert not RollCall.objects.exists()


def test_the_home_pages_show_what_to_do(cast: Any, client: Any) -> None:
    week = build_week(cast)
    with at(week.monday, "08:03"):
        client.force_login(cast.bernard)
        home = html.unescape(client.get(reverse("portal:home")).content.decode())
        assert "Faire l'appel : Mathématiques, 4e B (08:00)" in home
        client.force_login(cast.cpe_moulin)
        home = html.unescape(client.get(reverse("portal:home")).content.decode())
        assert "1 appel non fait" not in home  # not yet: the lesson has just begun
    with at(week.monday, "08:16"):
        home = html.unescape(client.get(reverse("portal:home")).content.decode())
        assert "1 appel non fait aujourd'hui." in home
        client.force_login(cast.bernard)
        post(client, week.maths_4b, {cast.noah: ("absent", "")})
        home = html.unescape(client.get(reverse("portal:home")).content.decode())
        assert "Faire l'appel" not in home
        client.force_login(cast.karim)
        home = html.unescape(client.get(reverse("portal:home")).content.decode())
        assert "Justifier une absence" in home


@pytest.mark.parametrize("size", [5, 30])
def test_the_teachers_day_costs_the_same_whatever_the_lessons(
    cast: Any, client: Any, size: int
) -> None:
    week = build_week(cast)
    grow_class(cast, size)
    client.force_login(cast.bernard)
    with at(week.monday, "10:20"):
        post(client, week.maths_4b, {cast.noah: ("absent", "")})
        # The user, the memberships, the assignments, the day's lessons and their teachers,
        # their roll calls, the week's missing ones and their teachers, the classes.
        with query_budget(DAY_QUERIES):
            page = html.unescape(client.get(reverse("attendance:index")).content.decode())
    assert "appel fait" in page and "faire l'appel" in page


DAY_QUERIES = 9
