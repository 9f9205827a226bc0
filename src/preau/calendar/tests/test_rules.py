"""Who reads and who writes which calendar, the event form's checks, and the notifications."""

from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404

from preau.calendar import policies
from preau.calendar.models import Event
from preau.calendar.tests.conftest import MONDAY, add, at
from preau.core.actor import Actor
from preau.directory.models import Profile
from preau.notifications.models import Kind, Notification


def actor(person: Any) -> Actor:
    return Actor(person, {})


@pytest.mark.parametrize(
    ("who", "writes"),
    [
        ("bernard", True),  # teaches 4e B
        ("garcia", True),  # teaches 4e B
        ("principal_moulin", True),
        ("cpe_moulin", True),
        ("lea", False),
        ("sophie", False),
        ("dupont", False),  # another establishment
        ("principal_curie", False),
    ],
)
def test_who_writes_the_class_calendar(
    cast: Any, class_4b_calendar: Any, who: str, writes: bool
) -> None:
    assert policies.can_write(actor(getattr(cast, who)), class_4b_calendar) is writes


@pytest.mark.parametrize(
    ("who", "writes"),
    [
        ("principal_moulin", True),
        ("cpe_moulin", True),
        ("bernard", False),
        ("lea", False),
        ("sophie", False),
        ("principal_curie", False),
    ],
)
def test_who_writes_the_establishment_calendar(
    cast: Any, moulin_calendar: Any, who: str, writes: bool
) -> None:
    assert policies.can_write(actor(getattr(cast, who)), moulin_calendar) is writes


def test_a_personal_calendar_is_its_owners_alone(cast: Any, bernard_calendar: Any) -> None:
    assert policies.can_write(actor(cast.bernard), bernard_calendar)
    for other in (cast.garcia, cast.principal_moulin, cast.lea):
        assert not policies.can_write(actor(other), bernard_calendar)
        assert bernard_calendar not in policies.visible_calendars(actor(other))


def test_readers_of_the_class_calendar(
    cast: Any, class_4b_calendar: Any, class_3a_calendar: Any
) -> None:
    for reader in (cast.lea, cast.noah, cast.sophie, cast.karim, cast.bernard, cast.cpe_moulin):
        assert class_4b_calendar in policies.visible_calendars(actor(reader)), reader
    for outsider in (cast.jade, cast.dupont, cast.hugo, cast.principal_curie):
        assert class_4b_calendar not in policies.visible_calendars(actor(outsider)), outsider
    # Garcia teaches 4e B only; Jade's guardian is nobody in the cast.
    assert class_3a_calendar not in policies.visible_calendars(actor(cast.garcia))
    assert class_3a_calendar not in policies.visible_calendars(actor(cast.lea))


def test_a_guardian_reads_each_childs_school(
    cast: Any, moulin_calendar: Any, curie_calendar: Any
) -> None:
    # Sophie: Léa at Jean Moulin, Hugo at Marie Curie.
    visible = set(policies.visible_calendars(actor(cast.sophie)))
    assert {moulin_calendar, curie_calendar} <= visible
    assert curie_calendar not in set(policies.visible_calendars(actor(cast.karim)))


def test_an_establishment_event_reaches_its_profiles_only(cast: Any, moulin_calendar: Any) -> None:
    event = add(
        cast.principal_moulin,
        moulin_calendar,
        "Réunion parents-professeurs",
        profiles=[Profile.GUARDIAN],
    )
    assert policies.access_event(actor(cast.sophie), event.public_id) == event
    assert policies.access_event(actor(cast.cpe_moulin), event.public_id) == event
    with pytest.raises(Http404):
        policies.access_event(actor(cast.lea), event.public_id)


def test_an_event_in_a_class_calendar_notifies_its_people(
    cast: Any, class_4b_calendar: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        add(cast.bernard, class_4b_calendar, "Sortie au musée")
    told = set(
        Notification.objects.filter(kind=Kind.CALENDAR, title="Sortie au musée").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"eleve.lea", "eleve.noah", "parent.sophie", "parent.karim", "prof.garcia"} <= told
    assert "prof.bernard" not in told  # the author
    assert not told & {"eleve.jade", "eleve.hugo", "prof.dupont"}


def test_a_personal_event_notifies_nobody(
    cast: Any, bernard_calendar: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        add(cast.bernard, bernard_calendar, "Dentiste")
    assert not Notification.objects.filter(kind=Kind.CALENDAR).exists()


# -- the form, as a person uses it -------------------------------------------------------------


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "calendar": "personal",
        "title": "Répétition de la chorale",
        "start_date": "2026-12-01",
        "start_time": "17:00",
        "end_date": "2026-12-01",
        "end_time": "18:00",
        "location": "Salle de musique",
        "description": "Apporter la partition.",
        "repeat": "",
    }
    data.update(overrides)
    return data


def test_a_teacher_adds_an_event_to_their_class(client: Any, cast: Any) -> None:
    client.force_login(cast.bernard)
    response = client.get("/agenda/events/new/")
    assert f"class:{cast.class_4b.public_id}" in response.content.decode()
    assert f"class:{cast.class_3a.public_id}" in response.content.decode()
    response = client.post(
        "/agenda/events/new/", form_data(calendar=f"class:{cast.class_4b.public_id}")
    )
    event = Event.objects.get(title="Répétition de la chorale")
    assert response.status_code == 302
    assert event.calendar.school_class == cast.class_4b
    assert event.start == at(MONDAY + timedelta(days=1), 17)


def test_a_teacher_cannot_choose_a_class_they_do_not_teach(client: Any, cast: Any) -> None:
    client.force_login(cast.garcia)  # 4e B only
    response = client.post(
        "/agenda/events/new/", form_data(calendar=f"class:{cast.class_3a.public_id}")
    )
    assert response.status_code == 200
    assert "calendar" in response.context["form"].errors
    assert not Event.objects.exists()


def test_a_student_writes_only_to_their_own_calendars(client: Any, cast: Any) -> None:
    client.force_login(cast.lea)
    content = client.get("/agenda/events/new/").content.decode()
    assert "class:" not in content and "establishment" not in content
    client.post("/agenda/events/new/", form_data())
    event = Event.objects.get()
    assert event.calendar.owner == cast.lea and event.calendar.is_personal


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_time": "16:00"}, "end_time"),
        ({"end_date": "2026-11-30"}, "end_time"),
        ({"start_time": ""}, "start_time"),
        ({"title": ""}, "title"),
        ({"start_date": "demain"}, "start_date"),
        ({"all_day": "on", "end_date": "2026-11-29"}, "end_date"),
        ({"repeat": "FREQ=WEEKLY", "repeat_until": "2026-11-01"}, "repeat_until"),
        ({"repeat": "FREQ=SECONDLY"}, "repeat"),
    ],
)
def test_bad_input_is_refused_with_a_message(
    client: Any, cast: Any, overrides: dict, field: str
) -> None:
    client.force_login(cast.lea)
    response = client.post("/agenda/events/new/", form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "n'est pas enregistré" in response.content.decode()
    assert not Event.objects.exists()


def test_an_all_day_event_over_two_days(client: Any, cast: Any) -> None:
    client.force_login(cast.lea)
    client.post(
        "/agenda/events/new/",
        form_data(all_day="on", start_time="", end_time="", end_date="2026-12-02"),
    )
    event = Event.objects.get()
    assert event.all_day
    assert event.start == at(MONDAY + timedelta(days=1), 0)
    assert event.end == at(MONDAY + timedelta(days=3), 0)
    assert "DTSTART;VALUE=DATE:20261201" in event.ical


def test_a_weekly_event_until_a_date(client: Any, cast: Any) -> None:
    client.force_login(cast.lea)
    client.post("/agenda/events/new/", form_data(repeat="FREQ=WEEKLY", repeat_until="2026-12-29"))
    event = Event.objects.get()
    assert event.rrule.startswith("FREQ=WEEKLY;UNTIL=20261229T")
    assert event.last_end is not None and event.last_end >= at(MONDAY + timedelta(days=29), 18)
    page = client.get("/agenda/", {"view": "month", "date": "2026-12-15"}).content.decode()
    assert page.count("Répétition de la chorale") == 5


def test_edit_keeps_what_a_phone_stored(cast: Any, client: Any, bernard_calendar: Any) -> None:
    from preau.calendar import actions, ical

    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:phone-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T090000Z\r\n"
        "DTEND:20261201T100000Z\r\nSUMMARY:Piscine\r\nRRULE:FREQ=WEEKLY;BYDAY=TU,TH\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Rappel\r\n"
        "END:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    event, _ = actions.do_store_event(
        actor=Actor(cast.bernard),
        calendar=bernard_calendar,
        resource="phone-1.ics",
        parsed=ical.parse(text),
        event=None,
    )
    client.force_login(cast.bernard)
    form = client.get(f"/agenda/events/{event.public_id}/edit/").context["form"]
    assert form.initial["repeat"] == "keep"
    data = {k: v for k, v in form.initial.items() if v is not None and k != "calendar"}
    data.update(title="Piscine municipale", start_time="10:00", end_time="11:00", repeat="keep")
    response = client.post(f"/agenda/events/{event.public_id}/edit/", data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Piscine municipale"
    assert "BYDAY=TU,TH" in event.ical and "BEGIN:VALARM" in event.ical
    assert "SEQUENCE:1" in event.ical


def test_only_writers_see_edit_and_delete(client: Any, cast: Any, class_4b_calendar: Any) -> None:
    event = add(cast.bernard, class_4b_calendar, "Contrôle")
    client.force_login(cast.lea)
    page = client.get(f"/agenda/events/{event.public_id}/")
    assert "lundi 30 novembre 2026, de 10:00 à 11:00" in page.content.decode()
    assert client.get(f"/agenda/events/{event.public_id}/edit/").status_code == 404
    assert client.post(f"/agenda/events/{event.public_id}/delete/").status_code == 404
    client.force_login(cast.garcia)
    assert client.post(f"/agenda/events/{event.public_id}/delete/").status_code == 302
    assert not Event.objects.exists()


def test_a_group_calendar_is_its_teachers_and_students(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from preau.audit.models import AuditEntry
    from preau.calendar import actions
    from preau.directory.models import GroupMembership, Subject, TeachingAssignment, TeachingGroup

    group = TeachingGroup.objects.create(
        establishment=cast.moulin, school_year=cast.class_4b.school_year, name="Latin 4e"
    )
    GroupMembership.objects.create(establishment=cast.moulin, group=group, student=cast.noah)
    TeachingAssignment.objects.create(
        establishment=cast.moulin,
        school_year=group.school_year,
        teacher=cast.garcia,
        subject=Subject.objects.filter(establishment=cast.moulin).first(),
        group=group,
    )
    calendar = actions.shared_calendar(establishment=cast.moulin, group=group)
    assert policies.can_write(actor(cast.garcia), calendar)
    assert policies.can_write(actor(cast.cpe_moulin), calendar)
    assert not policies.can_write(actor(cast.bernard), calendar)
    assert calendar in policies.visible_calendars(actor(cast.noah))
    assert calendar in policies.visible_calendars(actor(cast.karim))  # Noah's father
    assert calendar not in policies.visible_calendars(actor(cast.lea))
    assert calendar not in policies.visible_calendars(actor(cast.sophie))
    with django_capture_on_commit_callbacks(execute=True):
        event = add(cast.garcia, calendar, "Version latine")
    told = set(
        Notification.objects.filter(kind=Kind.CALENDAR).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"eleve.noah", "parent.karim"}
    # Changes to shared calendars are audited.
    assert AuditEntry.objects.filter(
        action="calendar.event.add", target_id=str(event.public_id)
    ).exists()


def test_an_all_day_event_repeated_until_a_date(client: Any, cast: Any) -> None:
    client.force_login(cast.lea)
    client.post(
        "/agenda/events/new/",
        form_data(
            all_day="on",
            start_time="",
            end_time="",
            repeat="FREQ=DAILY",
            repeat_until="2026-12-03",
        ),
    )
    event = Event.objects.get()
    assert event.rrule == "FREQ=DAILY;UNTIL=20261203"
    page = client.get("/agenda/", {"date": "2026-12-01"}).content.decode()
    assert page.count("Répétition de la chorale") == 3
    detail = client.get(f"/agenda/events/{event.public_id}/").content.decode()
    assert "Tous les jours, jusqu&#x27;au 3 décembre 2026" in detail
