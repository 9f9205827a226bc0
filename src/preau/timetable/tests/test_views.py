"""The day and week views, the home panel and the agenda layer, as each profile sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import log_in_with_second_factor, query_budget
from preau.timetable import actions, panels
from preau.timetable.models import Lesson
from preau.timetable.tests.helpers import actor_for, course, moulin_week, plain_week

pytestmark = pytest.mark.django_db


def week_of(client, day, **params):
    return client.get(reverse("timetable:index"), {"date": day.isoformat(), **params})


def test_a_students_week(cast, client):
    monday = plain_week()
    moulin_week(cast)
    client.force_login(cast.noah)
    response = week_of(client, monday)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Mathématiques" in text and "Français" in text
    assert "Marc Bernard" in text and "B12" in text
    day = client.get(reverse("timetable:index"), {"date": monday.isoformat(), "view": "day"})
    assert "Mathématiques" in day.content.decode()
    assert "A03" not in day.content.decode()


def test_a_teachers_week_names_the_classes(cast, client):
    monday = plain_week()
    moulin_week(cast)
    client.force_login(cast.bernard)
    text = week_of(client, monday).content.decode()
    assert "4e B" in text and "3e A" in text
    assert "A03" not in text


def test_a_guardian_switches_between_children(cast, client):
    monday = plain_week()
    moulin_week(cast)
    client.force_login(cast.sophie)
    first = week_of(client, monday)
    assert first.context["child"].student == cast.hugo  # the eldest first
    assert "Mathématiques" not in first.content.decode()
    lea = week_of(client, monday, child=str(cast.lea.public_id))
    assert lea.context["child"].student == cast.lea
    assert "Mathématiques" in lea.content.decode()
    # The choice is remembered.
    assert week_of(client, monday).context["child"].student == cast.lea
    # Another family's child: 404.
    karim_child = actor_for(cast.karim).children[0]
    assert week_of(client, monday, child=str(karim_child.public_id)).status_code == 404


def test_the_office_lists_the_classes(cast, client):
    client.force_login(cast.cpe_moulin)
    text = client.get(reverse("timetable:index")).content.decode()
    assert "4e B" in text and "3e A" in text and "2nde 3" not in text


@pytest.mark.parametrize("weeks", [1, 8])
def test_the_week_costs_the_same_whatever_it_holds(cast, client, weeks):
    monday = plain_week()
    moulin_week(cast)
    for weekday in range(1, 6):
        for hour in range(13, 13 + weeks):
            course(
                cast,
                school_class=cast.class_4b,
                code="030201",
                teachers=[cast.garcia],
                weekday=weekday,
                start=f"{hour}:00",
                end=f"{hour}:55",
            )
    client.force_login(cast.noah)
    week_of(client, monday)
    # The user, the memberships, the enrolment, the groups; the school calendar (settings,
    # holidays, closed days, weeks A/B); the lessons, their teachers.
    with query_budget(10):
        response = week_of(client, monday)
    assert len([x for d in response.context["days"] for x in d[1]]) == 2 + 5 * weeks


def test_the_home_panel_shows_the_next_lessons_with_changes(cast, client):
    week = moulin_week(cast)
    lesson = (
        Lesson.objects.filter(course=week["maths_4b"], start__gt=timezone.now())
        .order_by("start")
        .first()
    )
    actions.do_cancel_lesson(actor=actor_for(cast.cpe_moulin), lesson=lesson)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a: lesson.date)
        patch.setattr(timezone, "now", lambda: lesson.start - timedelta(hours=2))
        context = panels.panel_context(actor_for(cast.noah), None)
    assert "aujourd" in context["html"]
    assert "<del>Mathématiques</del>" in context["html"] and "Annulé" in context["html"]
    client.force_login(cast.noah)
    text = client.get(reverse("portal:home")).content.decode()
    assert 'id="panel-timetable"' in text


def test_lessons_are_a_layer_of_the_agenda(cast, client):
    monday = plain_week()
    moulin_week(cast)
    client.force_login(cast.noah)
    response = client.get(reverse("calendar:agenda"), {"date": monday.isoformat()})
    assert "Mathématiques" in response.content.decode()


@pytest.mark.parametrize("extra", [0, 12])
def test_the_console_costs_the_same_whatever_the_courses(cast, client, extra):
    moulin_week(cast)
    for index in range(extra):
        course(
            cast,
            school_class=cast.class_3a,
            code="030201",
            teachers=[cast.garcia],
            weekday=1 + index % 5,
            start=f"{13 + index // 5}:00",
            end=f"{13 + index // 5}:50",
            valid_until=plain_week(6),
        )
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("timetable:manage", kwargs={"public_id": cast.moulin.public_id})
    client.get(url)
    # The user, the memberships; the settings, the count of courses, the page of courses with
    # their subject, class and group, their teachers.
    with query_budget(6):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 3 + extra
