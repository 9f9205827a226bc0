"""CalDAV: the protocol as phones use it, through the Django test client, then a real CalDAV
client library against a live server."""

import base64
from datetime import datetime, timedelta
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring

from preau.api.actions import do_create_token
from preau.api.models import Scope
from preau.calendar import actions
from preau.calendar.models import Event
from preau.calendar.tests.conftest import add, at
from preau.core.actor import Actor
from preau.demo.cast import DEMO_PASSWORD, build_cast

D = "{DAV:}"
C = "{urn:ietf:params:xml:ns:caldav}"

EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test phone//EN
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20261101T080000Z
DTSTART;TZID=Europe/Paris:20261201T140000
DTEND;TZID=Europe/Paris:20261201T150000
SUMMARY:{summary}
END:VEVENT
END:VCALENDAR
"""


def auth(person: Any, password: str = DEMO_PASSWORD) -> dict[str, str]:
    value = base64.b64encode(f"{person.username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {value}"}


def dav(client: Any, method: str, path: str, person: Any, body: str = "", **headers: Any) -> Any:
    return client.generic(
        method, path, body, content_type="application/xml", **auth(person), **headers
    )


def test_discovery(client: Any, cast: Any) -> None:
    response = client.get("/.well-known/caldav")
    assert response.status_code == 301 and response["Location"] == "/caldav/"
    options = client.options("/caldav/")
    assert "calendar-access" in options["DAV"] and "REPORT" in options["Allow"]
    assert client.generic("PROPFIND", "/caldav/").status_code == 401
    body = (
        '<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>'
        "<d:current-user-principal/><c:calendar-home-set/></d:prop></d:propfind>"
    )
    root = fromstring(
        dav(client, "PROPFIND", "/caldav/", cast.bernard, body, HTTP_DEPTH="0").content
    )
    assert root.findtext(f".//{D}current-user-principal/{D}href") == "/caldav/principal/"
    assert root.findtext(f".//{C}calendar-home-set/{D}href") == "/caldav/calendars/"


def test_the_home_lists_the_personal_calendar_and_read_only_shared_ones(
    client: Any, cast: Any, class_4b_calendar: Any
) -> None:
    body = (
        '<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/" '
        'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:displayname/><d:resourcetype/>'
        "<cs:getctag/><d:sync-token/><c:supported-calendar-component-set/>"
        "<d:current-user-privilege-set/></d:prop></d:propfind>"
    )
    response = dav(client, "PROPFIND", "/caldav/calendars/", cast.lea, body, HTTP_DEPTH="1")
    assert response.status_code == 207
    root = fromstring(response.content)
    calendars = {
        r.findtext(f".//{D}displayname"): r
        for r in root.findall(f"{D}response")
        if r.find(f".//{C}calendar") is not None
    }
    # Her own calendar (created for the phone) and her class's, which she cannot write.
    assert set(calendars) == {"Mon agenda", "4e B"}
    assert calendars["Mon agenda"].find(f".//{D}privilege/{D}write") is not None
    assert calendars["4e B"].find(f".//{D}privilege/{D}write") is None
    assert calendars["4e B"].find(f".//{C}comp").get("name") == "VEVENT"


def test_put_get_conditional_requests_and_delete(client: Any, cast: Any) -> None:
    calendar = actions.ensure_personal_calendar(actor=cast.bernard, establishment=cast.moulin)
    path = f"/caldav/calendars/{calendar.public_id}/phone-1.ics"
    text = EVENT.format(uid="phone-1", summary="Piscine")
    put = client.put(
        path, text, content_type="text/calendar", HTTP_IF_NONE_MATCH="*", **auth(cast.bernard)
    )
    assert put.status_code == 201
    etag = put["ETag"]
    # Creating it again with If-None-Match: * fails; so does a stale If-Match.
    again = client.put(
        path, text, content_type="text/calendar", HTTP_IF_NONE_MATCH="*", **auth(cast.bernard)
    )
    assert again.status_code == 412
    stale = client.put(
        path,
        text.replace("Piscine", "Natation"),
        content_type="text/calendar",
        HTTP_IF_MATCH='"old"',
        **auth(cast.bernard),
    )
    assert stale.status_code == 412
    got = client.get(path, **auth(cast.bernard))
    assert got.status_code == 200 and got["ETag"] == etag
    assert got.content.decode() == text  # exactly what the phone stored
    event = Event.objects.get(uid="phone-1")
    assert event.start == at(datetime(2026, 12, 1).date(), 14)
    updated = client.put(
        path,
        text.replace("Piscine", "Natation"),
        content_type="text/calendar",
        HTTP_IF_MATCH=etag,
        **auth(cast.bernard),
    )
    assert updated.status_code == 204 and updated["ETag"] != etag
    # The portal shows the change.
    client.force_login(cast.bernard)
    assert "Natation" in client.get(f"/agenda/events/{event.public_id}/").content.decode()
    assert client.delete(path, HTTP_IF_MATCH=etag, **auth(cast.bernard)).status_code == 412
    assert (
        client.delete(path, HTTP_IF_MATCH=updated["ETag"], **auth(cast.bernard)).status_code == 204
    )
    assert not Event.objects.exists()


def test_bad_data_and_read_only_calendars_are_refused(
    client: Any, cast: Any, class_4b_calendar: Any
) -> None:
    calendar = actions.ensure_personal_calendar(actor=cast.bernard, establishment=cast.moulin)
    base = f"/caldav/calendars/{calendar.public_id}/"
    bad = client.put(
        base + "x.ics",
        "BEGIN:VCALENDAR\nEND:VCALENDAR\n",
        content_type="text/calendar",
        **auth(cast.bernard),
    )
    assert bad.status_code == 403 and b"valid-calendar-data" in bad.content
    # Only events are stored: any other component (here a journal entry) is refused.
    journal = EVENT.replace("VEVENT", "VJOURNAL").format(uid="t", summary="Journal")
    assert (
        client.put(
            base + "t.ics", journal, content_type="text/calendar", **auth(cast.bernard)
        ).status_code
        == 403
    )
    # Even a teacher of the class does not write the class calendar from a phone.
    shared = f"/caldav/calendars/{class_4b_calendar.public_id}/y.ics"
    response = client.put(
        shared,
        EVENT.format(uid="y", summary="Y"),
        content_type="text/calendar",
        **auth(cast.bernard),
    )
    assert response.status_code == 403
    # The same UID under another name is a conflict.
    client.put(
        base + "a.ics",
        EVENT.format(uid="same", summary="A"),
        content_type="text/calendar",
        **auth(cast.bernard),
    )
    conflict = client.put(
        base + "b.ics",
        EVENT.format(uid="same", summary="B"),
        content_type="text/calendar",
        **auth(cast.bernard),
    )
    assert conflict.status_code == 409
    assert Event.objects.count() == 1


def test_xml_with_entities_is_refused(client: Any, cast: Any) -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&e;</d:displayname></d:prop>'
        "</d:propfind>"
    )
    assert dav(client, "PROPFIND", "/caldav/calendars/", cast.lea, body).status_code == 400


def test_calendar_query_by_time_range_and_multiget(
    client: Any, cast: Any, class_4b_calendar: Any
) -> None:
    monday = datetime(2026, 11, 30).date()
    add(cast.bernard, class_4b_calendar, "Contrôle", day=monday)
    add(cast.bernard, class_4b_calendar, "Sortie", day=monday + timedelta(days=14))
    add(
        cast.bernard,
        class_4b_calendar,
        "Soutien",
        day=monday - timedelta(days=7),
        rrule="FREQ=WEEKLY",
    )
    path = f"/caldav/calendars/{class_4b_calendar.public_id}/"
    query = (
        '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        "<d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter>"
        '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
        '<c:time-range start="20261130T000000Z" end="20261207T000000Z"/>'
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    )
    response = dav(client, "REPORT", path, cast.noah, query, HTTP_DEPTH="1")
    assert response.status_code == 207
    root = fromstring(response.content)
    found = sorted(
        "Contrôle" if "Contrôle" in r.findtext(f".//{C}calendar-data") else "Soutien"
        for r in root.findall(f"{D}response")
    )
    assert found == ["Contrôle", "Soutien"]
    hrefs = [r.findtext(f"{D}href") for r in root.findall(f"{D}response")]
    multiget = (
        '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        "<d:prop><d:getetag/></d:prop>"
        + "".join(f"<d:href>{h}</d:href>" for h in hrefs)
        + f"<d:href>{path}missing.ics</d:href></c:calendar-multiget>"
    )
    root = fromstring(dav(client, "REPORT", path, cast.noah, multiget).content)
    statuses = [r.findtext(f"{D}status") for r in root.findall(f"{D}response")]
    assert statuses == [None, None, "HTTP/1.1 404 Not Found"]


def test_sync_collection(client: Any, cast: Any) -> None:
    calendar = actions.ensure_personal_calendar(actor=cast.lea, establishment=cast.moulin)
    add(cast.lea, calendar, "Handball")
    path = f"/caldav/calendars/{calendar.public_id}/"
    first = (
        '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level>'
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )
    root = fromstring(dav(client, "REPORT", path, cast.lea, first).content)
    token = root.findtext(f"{D}sync-token")
    assert len(root.findall(f"{D}response")) == 1
    again = first.replace("<d:sync-token/>", f"<d:sync-token>{token}</d:sync-token>")
    root = fromstring(dav(client, "REPORT", path, cast.lea, again).content)
    assert root.findall(f"{D}response") == []
    add(cast.lea, calendar, "Piano")
    # An older token: the client is told to sync in full.
    response = dav(client, "REPORT", path, cast.lea, again)
    assert response.status_code == 403 and b"valid-sync-token" in response.content


def test_a_token_with_the_calendar_scope(client: Any, cast: Any) -> None:
    _, secret = do_create_token(
        actor=Actor(cast.lea), name="Téléphone", scopes=[Scope.DAV_CALENDARS]
    )
    response = client.generic("PROPFIND", "/caldav/calendars/", **auth(cast.lea, secret))
    assert response.status_code == 207
    _, files_only = do_create_token(
        actor=Actor(cast.lea), name="Fichiers", scopes=[Scope.DAV_FILES]
    )
    assert client.generic("PROPFIND", "/caldav/", **auth(cast.lea, files_only)).status_code == 401


# -- a real CalDAV client against a live server ----------------------------------------------------


@pytest.fixture
def dav_server(live_server: Any, django_db_blocker: Any) -> Any:
    """The live server, on a database that the test leaves empty: the cast is built again
    afterwards for the tests that follow."""
    with django_db_blocker.unblock():
        build_cast()
    yield live_server
    with django_db_blocker.unblock():
        build_cast()


def test_the_caldav_library_syncs_a_personal_calendar(dav_server: Any, request: Any) -> None:
    import caldav

    from preau.demo.cast import Cast

    cast = Cast.load()
    actions.shared_calendar(establishment=cast.moulin, school_class=cast.class_4b)
    _, secret = do_create_token(
        actor=Actor(cast.bernard), name="Téléphone", scopes=[Scope.DAV_CALENDARS]
    )
    client = caldav.DAVClient(
        url=f"{dav_server.url}/.well-known/caldav", username="prof.bernard", password=secret
    )
    # Closed at the end, so no kept-alive connection outlives the live server's database.
    request.addfinalizer(client.close)
    principal = client.principal()
    calendars = {str(c.get_display_name()): c for c in principal.calendars()}
    assert "Mon agenda" in calendars and "4e B" in calendars
    calendar = calendars["Mon agenda"]

    created = calendar.save_event(EVENT.format(uid="lib-1", summary="Conseil pédagogique"))
    found = calendar.search(
        start=datetime(2026, 12, 1), end=datetime(2026, 12, 2), event=True, expand=False
    )
    assert [str(e.icalendar_component["SUMMARY"]) for e in found] == ["Conseil pédagogique"]
    assert calendar.search(start=datetime(2026, 12, 2), end=datetime(2026, 12, 3), event=True) == []
    by_url = calendar.event_by_url(created.url)
    by_url.load()
    assert str(by_url.icalendar_component["UID"]) == "lib-1"

    by_url.icalendar_component["SUMMARY"] = "Conseil pédagogique (salle 12)"
    by_url.save()
    again = calendar.event_by_uid("lib-1")
    assert str(again.icalendar_component["SUMMARY"]) == "Conseil pédagogique (salle 12)"
    assert Event.objects.get(uid="lib-1").title == "Conseil pédagogique (salle 12)"

    again.delete()
    assert calendar.search(start=datetime(2026, 12, 1), end=datetime(2026, 12, 2), event=True) == []
    assert not Event.objects.filter(uid="lib-1").exists()


def test_the_caldav_library_cannot_reach_another_persons_calendar(
    dav_server: Any, request: Any
) -> None:
    import caldav
    from caldav.lib.error import DAVError, NotFoundError

    from preau.demo.cast import Cast

    cast = Cast.load()
    theirs = actions.ensure_personal_calendar(actor=cast.garcia, establishment=cast.moulin)
    add(cast.garcia, theirs, "Rendez-vous privé")
    client = caldav.DAVClient(
        url=f"{dav_server.url}/caldav/", username="prof.bernard", password=DEMO_PASSWORD
    )
    request.addfinalizer(client.close)
    names = [str(c.get_display_name()) for c in client.principal().calendars()]
    assert names.count("Mon agenda") == 1  # his own only
    other = client.calendar(url=f"{dav_server.url}/caldav/calendars/{theirs.public_id}/")
    with pytest.raises((NotFoundError, DAVError)):
        other.search(start=datetime(2026, 11, 1), end=datetime(2027, 1, 1), event=True)
    with pytest.raises((NotFoundError, DAVError)):
        other.get_display_name()


def test_a_rule_repeating_every_second_stays_cheap(client: Any, cast: Any) -> None:
    calendar = actions.ensure_personal_calendar(actor=cast.lea, establishment=cast.moulin)
    text = EVENT.format(uid="fast", summary="Bip").replace(
        "SUMMARY:Bip", "SUMMARY:Bip\nRRULE:FREQ=SECONDLY"
    )
    path = f"/caldav/calendars/{calendar.public_id}/fast.ics"
    assert client.put(path, text, content_type="text/calendar", **auth(cast.lea)).status_code == 201
    assert Event.objects.get(uid="fast").last_end is None
    client.force_login(cast.lea)
    page = client.get("/agenda/", {"view": "month", "date": "2026-12-01"}).content.decode()
    assert 0 < page.count("Bip") <= 500


def test_a_malformed_calendar_id_is_missing(client: Any, cast: Any) -> None:
    path = "/caldav/calendars/------------------------------------/"
    assert client.generic("PROPFIND", path, **auth(cast.lea)).status_code == 404
