"""Personal iCalendar feeds of the timetable, and the hook other services add to them.

Each person has one secret address for their own timetable per establishment, and a guardian
one per child. As for the agenda's feeds (calendar/feeds.py), the secret is an HMAC of the
feed's public id and a random salt with ``SECRET_KEY``: never stored, shown again when asked;
« régénérer » draws a new public id and salt, and the old address answers 404 at once.

Contributors: a feed is the sum of what each registered contributor gives for a ``FeedQuery``
(the timetable's lessons first; the logbook adds homework due dates). A contributor is a
function ``(FeedQuery) -> list[icalendar.Event]`` registered with ``register_contributor`` in
its app's ``AppConfig.ready()``; it runs a fixed number of queries whatever the feed holds and
gives each event a stable UID.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import icalendar
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.timetable import policies
from preau.timetable.generation import PARIS
from preau.timetable.models import Lesson, LessonStatus, TimetableFeed

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PRODID = "-//Preau//Emploi du temps//FR"
# What a feed holds: from a month ago to the end of the school year.
PAST = timedelta(days=31)
# A built feed is kept this long (calendar apps poll every few hours at most; building one
# costs about a millisecond per lesson): a change reaches the feed within five minutes.
CACHE_SECONDS = 300


def cache_key(feed: TimetableFeed) -> str:
    return f"timetable-feed:{feed.public_id}"


@dataclass
class FeedQuery:
    """Whose feed: the reader (as an Actor in the feed's establishment), the guardian's child
    when it is a child's feed, and the range of dates."""

    actor: Actor
    child: Child | None
    start: datetime
    end: datetime


Contributor = Callable[[FeedQuery], list[icalendar.Event]]
_contributors: dict[str, tuple[int, Contributor]] = {}


def register_contributor(code: str, contribute: Contributor, position: int = 100) -> None:
    if code in _contributors and _contributors[code][1] is not contribute:
        raise ValueError(f"Feed contributor {code!r} is already registered.")
    _contributors[code] = (position, contribute)


def token_of(feed: TimetableFeed) -> str:
    material = f"timetable-feed:{feed.public_id}:{feed.salt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), material, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def matches(feed: TimetableFeed, token: str) -> bool:
    return hmac.compare_digest(token_of(feed), token)


def url_of(request: Any, feed: TimetableFeed) -> str:
    path = reverse("timetable:feed", kwargs={"public_id": feed.public_id, "token": token_of(feed)})
    return request.build_absolute_uri(path)


def feed_for(*, person: Any, establishment: Any, student: Any = None) -> TimetableFeed:
    """The person's feed (their own, or of one child), created on first use."""
    found = TimetableFeed.objects.filter(
        person=person, establishment=establishment, student=student
    ).first()
    if found is None:
        found = TimetableFeed.objects.create(
            person=person, establishment=establishment, student=student, salt=secrets.token_hex(16)
        )
    return found


@transaction.atomic
def do_regenerate_feed(*, feed: TimetableFeed) -> TimetableFeed:
    """A new address; the old one stops at once."""
    feed.public_id = uuid.uuid4()
    feed.salt = secrets.token_hex(16)
    feed.save(update_fields=["public_id", "salt"])
    return feed


def lesson_event(lesson: Lesson) -> icalendar.Event:
    """A lesson as a VEVENT: stable UID from its public id, times in Europe/Paris, cancelled
    lessons with STATUS:CANCELLED."""
    event = icalendar.Event()
    event.add("UID", f"lesson-{lesson.public_id}@preau")
    summary = str(lesson.subject)
    if lesson.status == LessonStatus.CANCELLED:
        summary = _("Annulé : %s") % summary
    event.add("SUMMARY", summary)
    event.add("DTSTART", lesson.start.astimezone(PARIS))
    event.add("DTEND", lesson.end.astimezone(PARIS))
    event.add("DTSTAMP", lesson.changed_at or lesson.created_at)
    event.add("LAST-MODIFIED", lesson.changed_at or lesson.created_at)
    if lesson.room:
        event.add("LOCATION", lesson.room)
    teachers = [t.get_full_name() for t in lesson.teachers.all()]
    lines = [str(lesson.audience), ", ".join(teachers)]
    if lesson.replacement_teacher is not None:
        lines.append(_("Remplacé par %s") % lesson.replacement_teacher.get_full_name())
    if lesson.status == LessonStatus.MOVED and lesson.moved_from:
        lines.append(
            _("Déplacé (initialement le %s)")
            % timezone.localtime(lesson.moved_from, PARIS).strftime("%d/%m/%Y %H:%M")
        )
    if lesson.room_changed:
        lines.append(_("Changement de salle"))
    if lesson.change_note:
        lines.append(lesson.change_note)
    event.add("DESCRIPTION", "\n".join(line for line in lines if line))
    event.add("CATEGORIES", [_("Emploi du temps")])
    event.add("STATUS", "CANCELLED" if lesson.status == LessonStatus.CANCELLED else "CONFIRMED")
    return event


def lessons_contributor(query: FeedQuery) -> list[icalendar.Event]:
    """The timetable's own part of the feed (2 queries)."""
    if query.child is not None:
        timetable = policies.child_timetable(query.actor, query.child)
    else:
        timetable = policies.own_timetable(query.actor)
    if timetable is None:
        return []
    return [
        lesson_event(lesson)
        for lesson in policies.lessons_between(timetable, query.start, query.end)
    ]


def build_feed(name: str, query: FeedQuery) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", "Europe/Paris")
    for _position, contribute in sorted(_contributors.values(), key=lambda item: item[0]):
        for event in contribute(query):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
