"""Changes of one lesson: who may make them, what they refuse, who is told, what is shown."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.notifications.models import Kind, Notification
from preau.timetable import actions, policies
from preau.timetable.generation import PARIS
from preau.timetable.models import Lesson, LessonStatus
from preau.timetable.tests.helpers import actor_for, moulin_week

pytestmark = pytest.mark.django_db


def next_lesson(course):
    return Lesson.objects.filter(course=course, start__gt=timezone.now()).order_by("start").first()


def told(kind=Kind.TIMETABLE):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_the_cpe_cancels_a_lesson_and_its_class_and_families_are_told(cast, client):
    week = moulin_week(cast)
    lesson = next_lesson(week["maths_4b"])
    client.force_login(cast.cpe_moulin)
    url = reverse("timetable:lesson_change", kwargs={"public_id": lesson.public_id})
    response = client.post(url, {"change": "cancel", "cancel-note": "Sortie au musée"})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.CANCELLED
    assert lesson.change_note == "Sortie au musée"
    assert told() == {"eleve.lea", "eleve.noah", "parent.sophie", "parent.karim", "prof.bernard"}
    assert AuditEntry.objects.filter(action="timetable.lesson_cancelled").count() == 1
    # Noah's week shows it cancelled.
    client.force_login(cast.noah)
    page = client.get(reverse("timetable:index"), {"date": lesson.date.isoformat()})
    text = page.content.decode()
    assert "Annulé" in text and "Sortie au musée" in text and "<del>" in text


def test_a_teacher_changes_the_room_of_their_lesson_but_cannot_cancel_it(cast, client):
    week = moulin_week(cast)
    lesson = next_lesson(week["maths_4b"])
    client.force_login(cast.bernard)
    url = reverse("timetable:lesson_change", kwargs={"public_id": lesson.public_id})
    response = client.post(url, {"change": "cancel"})
    assert response.status_code == 404
    response = client.post(url, {"change": "room", "room-room": "Labo 2"})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.room, lesson.room_changed, lesson.status) == ("Labo 2", True, "planned")
    assert "prof.bernard" not in told()
    assert "eleve.noah" in told()


def test_a_room_already_taken_is_refused_with_a_message(cast, client):
    week = moulin_week(cast)
    lesson = next_lesson(week["french_4b"])
    other = next_lesson(week["maths_3a"])
    # Move 3e A's maths to the French lesson's time, in room A03: refused.
    local = timezone.localtime(lesson.start, PARIS)
    client.force_login(cast.principal_moulin)
    url = reverse("timetable:lesson_change", kwargs={"public_id": other.public_id})
    response = client.post(
        url,
        {
            "change": "move",
            "move-day": local.date().isoformat(),
            "move-start_time": "09:00",
            "move-end_time": "10:00",
            "move-room": "A03",
        },
    )
    assert response.status_code == 200
    assert "chevauche" in response.content.decode()
    other.refresh_from_db()
    assert other.status == LessonStatus.PLANNED
    assert not told()


def test_moving_a_lesson_keeps_its_row_and_shows_where_it_was(cast):
    week = moulin_week(cast)
    lesson = next_lesson(week["maths_4b"])
    before = lesson.start
    new_start = datetime.combine(lesson.date + timedelta(days=3), time(15, 0), tzinfo=PARIS)
    actions.do_move_lesson(
        actor=actor_for(cast.cpe_moulin),
        lesson=lesson,
        start=new_start,
        end=new_start + timedelta(hours=1),
    )
    moved = Lesson.objects.get(public_id=lesson.public_id)
    assert (moved.status, moved.moved_from, moved.start) == ("moved", before, new_start)
    assert moved.date == lesson.date
    # A later change of the course does not put it back.
    actions.do_update_course(actor=cast.principal_moulin, course=week["maths_4b"], room="C01")
    moved.refresh_from_db()
    assert moved.start == new_start


def test_moving_outside_the_school_year_is_refused(cast):
    lesson = next_lesson(moulin_week(cast)["maths_4b"])
    far = datetime(lesson.school_year.end_date.year + 1, 1, 5, 9, tzinfo=PARIS)
    with pytest.raises(actions.TimetableError, match="en dehors de l'année scolaire"):
        actions.do_move_lesson(
            actor=actor_for(cast.cpe_moulin), lesson=lesson, start=far, end=far + timedelta(hours=1)
        )


def test_replacement_teacher_sees_and_teaches_the_lesson(cast):
    lesson = next_lesson(moulin_week(cast)["maths_3a"])
    with pytest.raises(Http404):
        policies.access_lesson(actor_for(cast.garcia), lesson.public_id)
    actions.do_set_replacement(actor=actor_for(cast.cpe_moulin), lesson=lesson, teacher=cast.garcia)
    found = policies.access_lesson(actor_for(cast.garcia), lesson.public_id)
    assert policies.is_lesson_teacher(cast.garcia, found)
    assert found in policies.teacher_lessons(actor_for(cast.garcia), lesson.date)
    assert {"prof.garcia", "prof.bernard", "eleve.jade"} <= told()


def test_an_extra_lesson_is_announced(cast, client):
    moulin_week(cast)
    day = timezone.localdate() + timedelta(days=14)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    client.force_login(cast.cpe_moulin)
    url = reverse("timetable:extra_lesson", kwargs={"public_id": cast.moulin.public_id})
    response = client.post(
        url,
        {
            "school_class": cast.class_3a.public_id,
            "subject": cast.class_3a.establishment.subject_set.get(code="061300").public_id,
            "teachers": [cast.bernard.public_id],
            "room": "B14",
            "day": day.isoformat(),
            "start_time": "16:00",
            "end_time": "17:00",
            "note": "Préparation au brevet",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    extra = Lesson.objects.get(status=LessonStatus.EXTRA)
    assert (extra.course, extra.room, extra.school_class) == (None, "B14", cast.class_3a)
    assert "eleve.jade" in told()


def test_a_cancelled_lesson_is_restored(cast):
    lesson = next_lesson(moulin_week(cast)["maths_4b"])
    cpe = actor_for(cast.cpe_moulin)
    actions.do_cancel_lesson(actor=cpe, lesson=lesson)
    with pytest.raises(actions.TimetableError):
        actions.do_cancel_lesson(actor=cpe, lesson=lesson)
    actions.do_restore_lesson(actor=cpe, lesson=lesson)
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.PLANNED
