"""The agenda pages: week, month and list, navigation, the child switcher, the home panel and
the query budgets."""

from datetime import timedelta
from typing import Any

import pytest

from preau.calendar.models import Event
from preau.calendar.tests.conftest import MONDAY, add, at
from preau.core.testing import query_budget


@pytest.mark.parametrize("view", ["week", "month", "list"])
def test_each_view_shows_the_events_of_my_calendars(
    client: Any, cast: Any, view: str, class_4b_calendar: Any, moulin_calendar: Any
) -> None:
    add(cast.bernard, class_4b_calendar, "Contrôle de mathématiques")
    add(
        cast.principal_moulin,
        moulin_calendar,
        "Journée portes ouvertes",
        all_day=True,
        start=at(MONDAY, 0),
        end=at(MONDAY + timedelta(days=1), 0),
    )
    client.force_login(cast.lea)
    response = client.get("/agenda/", {"view": view, "date": MONDAY.isoformat()})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Contrôle de mathématiques" in content
    assert "Journée portes ouvertes" in content
    assert "10:00" in content  # shown in Paris time


def test_navigation_by_date(client: Any, cast: Any, class_4b_calendar: Any) -> None:
    add(cast.bernard, class_4b_calendar, "Contrôle", day=MONDAY + timedelta(days=7))
    client.force_login(cast.lea)
    week = client.get("/agenda/", {"date": MONDAY.isoformat()}).content.decode()
    assert "Contrôle" not in week
    assert f"date={(MONDAY + timedelta(days=7)).isoformat()}" in week
    following = client.get("/agenda/", {"date": (MONDAY + timedelta(days=7)).isoformat()})
    assert "Contrôle" in following.content.decode()
    # A malformed date shows today rather than an error.
    assert client.get("/agenda/", {"date": "2026-13-45"}).status_code == 200


def test_a_guardian_switches_between_children(
    client: Any, cast: Any, class_4b_calendar: Any, curie_calendar: Any
) -> None:
    add(cast.bernard, class_4b_calendar, "Sortie de la 4e B")
    add(cast.principal_curie, curie_calendar, "Forum des métiers")
    client.force_login(cast.sophie)
    lea = client.get("/agenda/", {"date": MONDAY.isoformat(), "child": cast.lea.public_id})
    assert "Sortie de la 4e B" in lea.content.decode()
    assert "Forum des métiers" not in lea.content.decode()
    hugo = client.get("/agenda/", {"date": MONDAY.isoformat(), "child": cast.hugo.public_id})
    assert "Forum des métiers" in hugo.content.decode()
    assert "Sortie de la 4e B" not in hugo.content.decode()
    # Another family's child does not exist.
    client.force_login(cast.karim)
    assert client.get("/agenda/", {"child": cast.lea.public_id}).status_code == 404


def test_one_calendar_at_a_time_and_only_a_readable_one(
    client: Any, cast: Any, class_3a_calendar: Any
) -> None:
    client.force_login(cast.lea)
    response = client.get("/agenda/", {"calendar": class_3a_calendar.public_id})
    assert response.status_code == 404
    client.force_login(cast.jade)
    assert client.get("/agenda/", {"calendar": class_3a_calendar.public_id}).status_code == 200


def test_a_repeated_event_is_shown_on_each_day(client: Any, cast: Any) -> None:
    from preau.calendar import actions

    calendar = actions.ensure_personal_calendar(actor=cast.lea, establishment=cast.moulin)
    add(
        cast.lea,
        calendar,
        "Handball",
        rrule="FREQ=DAILY;COUNT=3",
        start=at(MONDAY, 17),
        end=at(MONDAY, 18),
    )
    client.force_login(cast.lea)
    content = client.get("/agenda/", {"date": MONDAY.isoformat()}).content.decode()
    assert content.count("Handball") == 3
    # Each links to its own day.
    event = Event.objects.get(title="Handball")
    third = f"/agenda/events/{event.public_id}/?on=2026-12-02"
    assert third in content
    detail = client.get(third).content.decode()
    assert "Tous les jours, 3 fois" in detail
    assert "mercredi 2 décembre 2026, de 17:00 à 18:00" in detail


@pytest.mark.parametrize("count", [1, 40])
def test_the_week_costs_the_same_whatever_it_holds(
    client: Any, cast: Any, class_4b_calendar: Any, moulin_calendar: Any, count: int
) -> None:
    from preau.calendar import actions

    personal = actions.ensure_personal_calendar(actor=cast.lea, establishment=cast.moulin)
    for index in range(count):
        day = MONDAY + timedelta(days=index % 7)
        add(cast.bernard, class_4b_calendar, f"Cours {index}", day=day)
        add(cast.principal_moulin, moulin_calendar, f"Annonce {index}", day=day)
        add(cast.lea, personal, f"Perso {index}", day=day, rrule="FREQ=WEEKLY;COUNT=2")
    client.force_login(cast.lea)
    client.get("/agenda/")
    # The actor: the user, the memberships, the enrolment, the groups; then the events of the
    # calendars with the calendars (repeated ones expanded in Python); the timetable's lessons
    # (none here, so no query for their teachers); the logbook's homework due.
    with query_budget(7):
        response = client.get("/agenda/", {"view": "month", "date": MONDAY.isoformat()})
    assert response.content.decode().count("Cours ") == count


@pytest.mark.parametrize("count", [1, 30])
def test_a_teachers_week_costs_the_same(
    client: Any, cast: Any, class_4b_calendar: Any, count: int
) -> None:
    for index in range(count):
        add(cast.bernard, class_4b_calendar, f"Cours {index}", day=MONDAY + timedelta(days=1))
    client.force_login(cast.bernard)
    client.get("/agenda/")
    # The user, the memberships, the teaching assignments, the events with their calendars,
    # the timetable's lessons (none here), the homework the teacher set.
    with query_budget(6):
        response = client.get("/agenda/", {"date": MONDAY.isoformat()})
    assert response.status_code == 200


def test_the_home_panel_lists_the_next_events(
    client: Any, cast: Any, class_4b_calendar: Any
) -> None:
    from django.utils import timezone

    soon = timezone.now() + timedelta(days=2)
    add(
        cast.bernard,
        class_4b_calendar,
        "Sortie au musée",
        start=soon,
        end=soon + timedelta(hours=2),
    )
    client.force_login(cast.lea)
    content = client.get("/").content.decode()
    assert "Prochains événements" in content
    assert "Sortie au musée" in content
    client.force_login(cast.jade)
    assert "Sortie au musée" not in client.get("/").content.decode()


def test_calendars_page_and_personal_calendars(client: Any, cast: Any) -> None:
    client.force_login(cast.bernard)
    assert client.get("/agenda/calendars/").status_code == 200
    response = client.post("/agenda/calendars/new/", {"name": "Club d'échecs"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Club d&#x27;échecs" in page
    calendar_url = response["Location"]
    assert client.post(calendar_url + "edit/", {"name": ""}).status_code == 200
    assert client.post(calendar_url + "edit/", {"name": "Échecs"}).status_code == 302
    assert client.post(calendar_url + "delete/").status_code == 302
    assert client.get(calendar_url).status_code == 404


def test_the_event_and_calendar_pages_have_a_fixed_cost(
    client: Any, cast: Any, class_4b_calendar: Any, moulin_calendar: Any
) -> None:
    event = add(cast.bernard, class_4b_calendar, "Contrôle")
    client.force_login(cast.lea)
    client.get("/agenda/calendars/")
    # The actor (user, memberships, enrolment, groups, children: a guardian reads their
    # children's calendars in any school), the event with its calendar.
    with query_budget(6):
        assert client.get(f"/agenda/events/{event.public_id}/").status_code == 200
    # The actor, the calendars.
    with query_budget(6):
        assert client.get("/agenda/calendars/").status_code == 200
    # The actor, the calendar, the reader's feed.
    with query_budget(7):
        assert client.get(f"/agenda/calendars/{class_4b_calendar.public_id}/").status_code == 200


def test_another_service_adds_a_read_only_layer(client: Any, cast: Any, monkeypatch: Any) -> None:
    from preau.calendar import layers
    from preau.calendar.ical import Occurrence

    def provide(query: layers.AgendaQuery) -> list[Occurrence]:
        start = at(MONDAY, 8)
        return [
            Occurrence(
                start=start,
                end=start + timedelta(hours=1),
                all_day=False,
                title=f"Cours pour {query.actor.user.first_name}",
                location="Salle 12",
                url="/",
                source="Emploi du temps",
                kind="lesson",
            )
        ]

    monkeypatch.setattr(layers, "_layers", dict(layers._layers))
    layers.register_layer(layers.Layer(code="lessons", name="Cours", provide=provide))
    client.force_login(cast.lea)
    content = client.get("/agenda/", {"date": MONDAY.isoformat()}).content.decode()
    assert "Cours pour Léa" in content and "Emploi du temps" in content
