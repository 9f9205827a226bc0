"""The personal iCalendar feeds, read with the icalendar library as a calendar app would."""

from __future__ import annotations

import icalendar
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import query_budget
from preau.timetable import actions, feeds
from preau.timetable.models import Lesson, TimetableFeed
from preau.timetable.tests.helpers import actor_for, course, moulin_week

pytestmark = pytest.mark.django_db


def feed_url(feed):
    return reverse(
        "timetable:feed", kwargs={"public_id": feed.public_id, "token": feeds.token_of(feed)}
    )


def parse(response):
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_a_students_feed_has_their_lessons_with_a_cancelled_one_marked(cast, client):
    week = moulin_week(cast)
    lesson = (
        Lesson.objects.filter(course=week["maths_4b"], start__gt=timezone.now())
        .order_by("start")
        .first()
    )
    actions.do_cancel_lesson(actor=actor_for(cast.cpe_moulin), lesson=lesson, note="Grève")
    feed = feeds.feed_for(person=cast.noah, establishment=cast.moulin)
    calendar = parse(client.get(feed_url(feed)))
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    cancelled = events[f"lesson-{lesson.public_id}@preau"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert "Grève" in str(cancelled["DESCRIPTION"])
    assert cancelled.decoded("DTSTART") == lesson.start
    assert str(cancelled["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    others = [e for uid, e in events.items() if uid != f"lesson-{lesson.public_id}@preau"]
    assert others and all(str(e["STATUS"]) == "CONFIRMED" for e in others)
    # 3e A's lessons are not in Noah's feed.
    assert not any(
        uid == f"lesson-{x.public_id}@preau"
        for x in Lesson.objects.filter(course=week["maths_3a"])
        for uid in events
    )
    # UIDs are stable from one read to the next.
    again = parse(client.get(feed_url(feed)))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)


def test_a_guardian_has_one_feed_per_child(cast, client):
    moulin_week(cast)
    client.force_login(cast.sophie)
    page = client.get(reverse("timetable:feeds"))
    assert page.status_code == 200
    assert TimetableFeed.objects.filter(person=cast.sophie).count() == 2
    lea_feed = TimetableFeed.objects.get(person=cast.sophie, student=cast.lea)
    calendar = parse(client.get(feed_url(lea_feed)))
    assert calendar.walk("VEVENT")


def test_a_wrong_or_replaced_address_answers_404(cast, client):
    moulin_week(cast)
    feed = feeds.feed_for(person=cast.noah, establishment=cast.moulin)
    old = feed_url(feed)
    assert client.get(old).status_code == 200
    wrong = reverse("timetable:feed", kwargs={"public_id": feed.public_id, "token": "x" * 43})
    assert client.get(wrong).status_code == 404
    client.force_login(cast.noah)
    response = client.post(reverse("timetable:feeds"), {"feed": str(feed.public_id)})
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    feed.refresh_from_db()
    assert client.get(feed_url(feed)).status_code == 200
    # Someone else's feed cannot be regenerated.
    client.force_login(cast.jade)
    assert client.post(reverse("timetable:feeds"), {"feed": str(feed.public_id)}).status_code == 404


def test_a_former_guardian_loses_the_childs_feed(cast, client):
    moulin_week(cast)
    feed = feeds.feed_for(person=cast.karim, establishment=cast.moulin, student=cast.noah)
    assert client.get(feed_url(feed)).status_code == 200
    cast.karim.guardianships.all().delete()
    assert client.get(feed_url(feed)).status_code == 404


def test_the_feed_costs_the_same_whatever_it_holds(cast, client):
    feed = feeds.feed_for(person=cast.bernard, establishment=cast.moulin)
    moulin_week(cast)
    client.get(feed_url(feed))  # the school year and the services on: cached per process
    cache.delete(feeds.cache_key(feed))
    # The feed with its person, the person's memberships, the lessons, their teachers.
    with query_budget(4):
        small = client.get(feed_url(feed))
    # Built once per five minutes: then only the address and the reader's rights are read.
    with query_budget(2):
        client.get(feed_url(feed))
    for weekday in (3, 4, 5):
        course(
            cast,
            school_class=cast.class_3a,
            code="061300",
            teachers=[cast.bernard],
            weekday=weekday,
            start="14:00",
            end="15:00",
        )
    cache.delete(feeds.cache_key(feed))
    with query_budget(4):
        large = client.get(feed_url(feed))
    assert len(parse(large).walk("VEVENT")) > 2 * len(parse(small).walk("VEVENT"))
