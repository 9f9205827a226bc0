"""Lists cost the same whatever they hold; the home panels and the agenda show homework."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from preau.core.testing import query_budget
from preau.logbook.actions import do_save_entry, do_set_homework
from preau.logbook.tests.helpers import Week, fresh
from preau.timetable.models import Lesson


@pytest.fixture(autouse=True)
def _stop_patches() -> Any:
    yield
    mock.patch.stopall()


def _fill(cast: Any, count: int) -> Week:
    """``count`` French lessons of 4e B with an entry and a homework due the next one."""
    week = Week(cast)
    lessons = list(
        Lesson.objects.filter(course=week.courses["french_4b"])
        .select_related("establishment", "school_year", "subject")
        .order_by("start")
    )
    pairs = zip(lessons[:count], lessons[1 : count + 1], strict=True)  # noqa: RUF007
    for lesson, following in pairs:
        do_save_entry(actor=cast.garcia, lesson=lesson, content=f"Séance {lesson.date}")
        do_set_homework(
            actor=cast.garcia,
            lesson=lesson,
            kind="written",
            instructions="Exercice",
            minutes=10,
            due_lesson=following,
            notify_people=False,
        )
    mock.patch("django.utils.timezone.localdate", return_value=lessons[0].date).start()
    return week


PAGES = [
    ("lea", "logbook:index", None, 10),
    ("lea", "logbook:homework", None, 7),
    ("sophie", "logbook:index", "lea", 12),
    ("sophie", "logbook:homework", "lea", 9),
    ("garcia", "logbook:index", None, 8),
    ("garcia", "logbook:homework", None, 6),
    ("principal_moulin", "logbook:class", "class_4b", 10),
]


@pytest.mark.parametrize(("who", "route", "target", "budget"), PAGES)
@pytest.mark.parametrize("count", [2, 25])
def test_pages_cost_the_same_whatever_they_hold(
    cast: Any, client: Any, who: str, route: str, target: str | None, budget: int, count: int
) -> None:
    _fill(cast, count)
    client.force_login(getattr(cast, who))
    if route == "logbook:class":
        url = reverse(route, kwargs={"public_id": getattr(cast, target).public_id})
    else:
        url = reverse(route) + (f"?child={getattr(cast, target).public_id}" if target else "")
    client.get(url)
    with query_budget(budget):
        response = client.get(url)
    assert response.status_code == 200


def test_lea_sees_homework_at_home_and_in_her_agenda(cast: Any, client: Any) -> None:
    week = _fill(cast, 3)  # from the first French lesson of the year, the day it is
    first_due = Lesson.objects.filter(course=week.courses["french_4b"]).order_by("start")[1]
    client.force_login(cast.lea)
    home = client.get(reverse("portal:home")).content.decode()
    assert "Travail à faire" in home and "Exercice" in home
    agenda = client.get(
        reverse("calendar:agenda"), {"view": "week", "date": first_due.date.isoformat()}
    ).content.decode()
    assert "Travail écrit" in agenda


def test_a_teacher_is_reminded_of_lessons_without_entry(cast: Any, client: Any) -> None:
    week = Week(cast)
    mock.patch("django.utils.timezone.localdate", return_value=week.french.date).start()
    client.force_login(cast.garcia)
    home = client.get(reverse("portal:home")).content.decode()
    assert "Cahier de textes à remplir" in home
    do_save_entry(actor=cast.garcia, lesson=fresh(week.french), content="Fait")
    home = client.get(reverse("portal:home")).content.decode()
    assert "Cahier de textes à remplir" not in home
    assert week.french_next.date - week.french.date == timedelta(days=7)


@pytest.mark.parametrize("count", [1, 12])
def test_the_lesson_page_costs_the_same_whatever_it_holds(
    cast: Any, client: Any, count: int
) -> None:
    week = Week(cast)
    lesson = fresh(week.french)
    do_save_entry(actor=cast.garcia, lesson=lesson, content="Le Horla")
    for index in range(count):
        do_set_homework(
            actor=cast.garcia,
            lesson=lesson,
            kind="read",
            instructions=f"Lecture {index}",
            due_lesson=week.french_next,
            notify_people=False,
        )
    url = reverse("logbook:lesson", kwargs={"public_id": lesson.public_id})
    for who, budget in ((cast.lea, 12), (cast.garcia, 11)):
        client.force_login(who)
        client.get(url)
        with query_budget(budget):
            assert client.get(url).status_code == 200
