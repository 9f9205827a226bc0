"""Homework due dates in the personal iCalendar feeds, read as a calendar app would."""

from datetime import date, timedelta
from typing import Any
from unittest import mock

import icalendar
from django.urls import reverse

from preau.logbook.tests.helpers import Week, garcia_homework
from preau.timetable import feeds


def _feed(client: Any, feed: Any) -> icalendar.Calendar:
    url = reverse(
        "timetable:feed", kwargs={"public_id": feed.public_id, "token": feeds.token_of(feed)}
    )
    response = client.get(url)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def test_homework_is_an_all_day_event_in_the_students_and_guardians_feeds(
    cast: Any, client: Any
) -> None:
    week = Week(cast)
    homework = garcia_homework(cast, week, kind="learn", instructions="<p>Le <em>Horla</em></p>")
    moment = week.french.start
    with mock.patch("django.utils.timezone.now", return_value=moment):
        for person, student in ((cast.lea, None), (cast.sophie, cast.lea), (cast.karim, cast.noah)):
            feed = feeds.feed_for(person=person, establishment=cast.moulin, student=student)
            events = {str(e["UID"]): e for e in _feed(client, feed).walk("VEVENT")}
            event = events[f"homework-{homework.public_id}@preau"]
            assert event.decoded("DTSTART") == homework.due_date
            assert isinstance(event.decoded("DTSTART"), date)
            assert event.decoded("DTEND") == homework.due_date + timedelta(days=1)
            assert str(event["SUMMARY"]) == "Français : À apprendre"
            assert "Le Horla" in str(event["DESCRIPTION"])
        jade = feeds.feed_for(person=cast.jade, establishment=cast.moulin)
        uids = {str(e["UID"]) for e in _feed(client, jade).walk("VEVENT")}
        assert f"homework-{homework.public_id}@preau" not in uids
