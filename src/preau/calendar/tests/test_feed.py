"""The secret iCalendar feeds, read with the icalendar parser as a calendar app would."""

from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events

from preau.calendar import actions, feeds
from preau.calendar.tests.conftest import MONDAY, add, at
from preau.directory.models import Profile


def issue(client: Any, person: Any, calendar: Any) -> str:
    """Ask for the address on the calendar's page, as the person would; return its path."""
    client.force_login(person)
    response = client.post(f"/agenda/calendars/{calendar.public_id}/feed/")
    assert response.status_code == 302
    page = client.get(f"/agenda/calendars/{calendar.public_id}/").content.decode()
    feed = calendar.feeds.get(person=person)
    path = feeds.path_of(feed)
    assert path in page and path.endswith(".ics")
    return path


def parse(response: Any) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_a_feed_gives_the_calendar_as_its_reader_sees_it(
    client: Any, cast: Any, moulin_calendar: Any
) -> None:
    add(
        cast.principal_moulin,
        moulin_calendar,
        "Réunion parents-professeurs",
        profiles=[Profile.GUARDIAN],
        location="Réfectoire",
    )
    add(
        cast.principal_moulin,
        moulin_calendar,
        "Journée pédagogique",
        all_day=True,
        start=at(MONDAY, 0),
        end=at(MONDAY + timedelta(days=1), 0),
    )
    path = issue(client, cast.lea, moulin_calendar)
    client.logout()  # calendar apps have no session
    calendar = parse(client.get(path))
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    # Léa is a student: the meeting is for guardians.
    assert set(events) == {"Journée pédagogique"}
    assert events["Journée pédagogique"].decoded("DTSTART") == MONDAY
    sophie = parse(client.get(issue(client, cast.sophie, moulin_calendar)))
    meeting = next(
        e for e in sophie.walk("VEVENT") if e["SUMMARY"] == "Réunion parents-professeurs"
    )
    start = meeting.decoded("DTSTART")
    assert start == at(MONDAY, 10)
    assert start.astimezone(UTC) == datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert str(meeting["LOCATION"]) == "Réfectoire"
    # The time zone the times refer to is described in the feed.
    assert [str(z["TZID"]) for z in sophie.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_a_repeated_event_expands_in_the_reader(client: Any, cast: Any) -> None:
    personal = actions.ensure_personal_calendar(actor=cast.lea, establishment=cast.moulin)
    add(
        cast.lea,
        personal,
        "Handball",
        rrule="FREQ=WEEKLY;COUNT=30",
        start=at(MONDAY, 17),
        end=at(MONDAY, 18),
    )
    calendar = parse(client.get(issue(client, cast.lea, personal)))
    occurrences = recurring_ical_events.of(calendar).between(
        at(MONDAY, 0), at(MONDAY + timedelta(weeks=4), 0)
    )
    assert len(list(occurrences)) == 4
    # Across the change to summer time the lesson stays at 17:00 in Paris.
    later = list(recurring_ical_events.of(calendar).at((2027, 4, 5)))
    assert later[0].decoded("DTSTART").hour == 17
    assert later[0].decoded("DTSTART").astimezone(UTC).hour == 15


def test_a_wrong_or_replaced_token_is_refused(
    client: Any, cast: Any, class_4b_calendar: Any
) -> None:
    add(cast.bernard, class_4b_calendar, "Sortie")
    path = issue(client, cast.lea, class_4b_calendar)
    assert client.get(path).status_code == 200
    assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    feed = class_4b_calendar.feeds.get(person=cast.lea)
    other = f"/agenda/feeds/{feed.public_id}/{'A' * 43}.ics"
    assert client.get(other).status_code == 404
    # Regenerated: the old address stops at once, the new one works.
    response = client.post(f"/agenda/calendars/{class_4b_calendar.public_id}/feed/", {"renew": "1"})
    assert response.status_code == 302
    assert client.get(path).status_code == 404
    new_path = feeds.path_of(class_4b_calendar.feeds.get(person=cast.lea))
    assert new_path != path
    assert client.get(new_path).status_code == 200


def test_a_feed_stops_when_its_reader_loses_access(
    client: Any, cast: Any, class_4b_calendar: Any
) -> None:
    path = issue(client, cast.lea, class_4b_calendar)
    cast.lea.is_active = False
    cast.lea.save()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("who", ["jade", "dupont"])
def test_no_feed_for_someone_elses_calendar(
    client: Any, cast: Any, class_4b_calendar: Any, who: str
) -> None:
    client.force_login(getattr(cast, who))
    response = client.post(f"/agenda/calendars/{class_4b_calendar.public_id}/feed/")
    assert response.status_code == 404
    assert not class_4b_calendar.feeds.exists()


def test_an_establishment_that_turns_the_agenda_off_stops_feeds_and_sync(
    client: Any, cast: Any, class_4b_calendar: Any
) -> None:
    from preau.calendar.tests.test_caldav import auth
    from preau.core.actor import Actor
    from preau.portal.actions import do_update_services

    path = issue(client, cast.lea, class_4b_calendar)
    do_update_services(
        actor=Actor(cast.principal_moulin),
        establishment=cast.moulin,
        choices={"calendar": (False, 30)},
    )
    assert client.get(path).status_code == 404
    assert client.get("/agenda/").status_code == 404
    dav = f"/caldav/calendars/{class_4b_calendar.public_id}/"
    assert client.generic("PROPFIND", dav, **auth(cast.lea)).status_code == 404
