"""A group workspace's calendar: its members read it, its animators and members write it."""

from __future__ import annotations

import uuid
from typing import Any

import icalendar
import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from preau.calendar import actions, feeds, policies
from preau.calendar.models import Calendar, Event, FeedToken
from preau.calendar.tests.conftest import MONDAY, add
from preau.calendar.tests.test_caldav import EVENT, auth, dav
from preau.core.testing import Isolation, isolation_test
from preau.groups.models import Role, Workspace, WorkspaceMember
from preau.groups.tests.helpers import actor, club
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

CLUB_CALENDAR = uuid.UUID("00000000-0000-4000-8000-00000000cc11")
CLUB_EVENT = uuid.UUID("00000000-0000-4000-8000-00000000ca11")
NOAH_FEED = uuid.UUID("00000000-0000-4000-8000-00000000cf11")
# Not members of the club: a colleague (a member of the council, another workspace), a pupil
# of another class, a member's parent, the head and the CPE, another establishment's people.
NOT_MEMBERS = ("bernard", "jade", "sophie", "principal_moulin", "cpe_moulin", "dupont", "hugo")


def club_calendar(cast: Any) -> Calendar:
    """The club's calendar with Garcia's rehearsal, and Noah's feed of it, under fixed ids."""
    workspace = club(cast)
    calendar = actions.shared_calendar(establishment=cast.moulin, workspace=workspace)
    Calendar.objects.filter(pk=calendar.pk).update(public_id=CLUB_CALENDAR)
    event = add(cast.garcia, calendar, "Répétition")
    Event.objects.filter(pk=event.pk).update(public_id=CLUB_EVENT)
    feed = actions.do_issue_feed(actor=cast.noah, calendar=calendar)
    FeedToken.objects.filter(pk=feed.pk).update(public_id=NOAH_FEED)
    calendar.refresh_from_db()
    return calendar


def ids(**values: Any) -> Any:
    return lambda _cast: values


test_isolation = isolation_test(
    [
        Isolation(
            "calendar:calendar",
            "noah",
            ids(public_id=CLUB_CALENDAR),
            NOT_MEMBERS,
            setup=club_calendar,
        ),
        Isolation(
            "calendar:event", "lea", ids(public_id=CLUB_EVENT), NOT_MEMBERS, setup=club_calendar
        ),
        Isolation(
            "calendar:event_edit",
            "noah",
            ids(public_id=CLUB_EVENT),
            NOT_MEMBERS,
            setup=club_calendar,
        ),
        Isolation(
            "calendar:event_delete",
            "garcia",
            ids(public_id=CLUB_EVENT),
            NOT_MEMBERS,
            setup=club_calendar,
        ),
        Isolation(
            "calendar:calendar_feed",
            "noah",
            ids(public_id=CLUB_CALENDAR),
            NOT_MEMBERS,
            method="post",
            owner_status=302,
            setup=club_calendar,
        ),
    ]
)


def test_members_write_readers_and_the_archived_read(cast: Any) -> None:
    calendar = club_calendar(cast)
    assert policies.can_write(actor(cast.noah), calendar)
    assert policies.can_write(actor(cast.garcia), calendar)
    # Neither the head nor the class's teachers write it: they are not members.
    assert not policies.can_write(actor(cast.principal_moulin), calendar)
    WorkspaceMember.objects.filter(person=cast.noah).update(role=Role.READER)
    assert not policies.can_write(actor(cast.noah), calendar)
    assert policies.access_calendar(actor(cast.noah), CLUB_CALENDAR) == calendar
    WorkspaceMember.objects.filter(person=cast.lea).update(muted_at=timezone.now())
    assert not policies.can_write(actor(cast.lea), calendar)
    Workspace.objects.filter(pk=calendar.workspace_id).update(archived_at=timezone.now())
    assert not policies.can_write(actor(cast.garcia), calendar)
    assert policies.access_calendar(actor(cast.garcia), CLUB_CALENDAR) == calendar


def test_a_reader_cannot_add_an_event_a_member_can(cast: Any, client: Any) -> None:
    club_calendar(cast)
    data = {
        "calendar": f"workspace:{club(cast).public_id}",
        "title": "Essayage des costumes",
        "start_date": "2026-12-02",
        "start_time": "13:00",
        "end_time": "14:00",
    }
    url = reverse("calendar:event_create")
    client.force_login(cast.lea)
    assert f"workspace:{club(cast).public_id}" in client.get(url).content.decode()
    assert client.post(url, data).status_code == 302
    assert Event.objects.filter(title="Essayage des costumes", calendar__kind="workspace").exists()
    WorkspaceMember.objects.filter(person=cast.noah).update(role=Role.READER)
    client.force_login(cast.noah)
    assert f"workspace:{club(cast).public_id}" not in client.get(url).content.decode()
    response = client.post(url, {**data, "title": "Refusé"})
    assert response.status_code == 200 and not Event.objects.filter(title="Refusé").exists()
    assert client.get(reverse("calendar:event_edit", args=[CLUB_EVENT])).status_code == 404


def test_an_event_notifies_the_members_only(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    calendar = club_calendar(cast)
    with django_capture_on_commit_callbacks(execute=True):
        add(cast.garcia, calendar, "Représentation")
    told = set(
        Notification.objects.filter(kind=Kind.CALENDAR, title="Représentation").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {cast.lea.username, cast.noah.username}


def test_the_agenda_and_the_feed_show_it_to_members(cast: Any, client: Any) -> None:
    calendar = club_calendar(cast)
    client.force_login(cast.noah)
    page = client.get(reverse("calendar:agenda"), {"date": MONDAY.isoformat()}).content.decode()
    assert "Répétition" in page
    client.force_login(cast.jade)
    page = client.get(reverse("calendar:agenda"), {"date": MONDAY.isoformat()}).content.decode()
    assert "Répétition" not in page
    path = feeds.path_of(calendar.feeds.get(person=cast.noah))
    client.logout()
    response = client.get(path)
    assert response.status_code == 200
    titles = [
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    ]
    assert titles == ["Répétition"]
    # Noah leaves the club: his feed stops.
    WorkspaceMember.objects.filter(person=cast.noah).delete()
    assert client.get(path).status_code == 404
    with pytest.raises(Http404):
        policies.access_event(actor(cast.noah), CLUB_EVENT)


def test_caldav_offers_it_read_only(cast: Any, client: Any) -> None:
    calendar = club_calendar(cast)
    body = (
        '<d:propfind xmlns:d="DAV:"><d:prop><d:displayname/><d:current-user-privilege-set/>'
        "</d:prop></d:propfind>"
    )
    response = dav(client, "PROPFIND", "/caldav/calendars/", cast.garcia, body, HTTP_DEPTH="1")
    assert str(CLUB_CALENDAR) in response.content.decode()
    put = client.put(
        f"/caldav/calendars/{calendar.public_id}/x.ics",
        EVENT.format(uid="x", summary="X"),
        content_type="text/calendar",
        **auth(cast.garcia),
    )
    assert put.status_code == 403
    response = dav(client, "PROPFIND", "/caldav/calendars/", cast.jade, body, HTTP_DEPTH="1")
    assert str(CLUB_CALENDAR) not in response.content.decode()
    path = f"/caldav/calendars/{calendar.public_id}/"
    assert dav(client, "PROPFIND", path, cast.bernard, body, HTTP_DEPTH="0").status_code == 404
