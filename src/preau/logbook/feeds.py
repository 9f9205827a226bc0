"""Homework due dates in the personal iCalendar feeds of the timetable (timetable/feeds.py).

Each homework is an all-day VEVENT on its due date, marked transparent (it does not make the
day busy). iCalendar's task component would say « a task » better, but phone calendars (Apple
Calendar, Google Calendar and most Android apps) do not show tasks from a subscribed calendar;
an all-day event is shown by all of them. UIDs come from the homework's public id, so they are
stable.
"""

from __future__ import annotations

from datetime import timedelta

import icalendar
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from preau.logbook import policies
from preau.logbook.models import Homework
from preau.timetable.feeds import FeedQuery
from preau.timetable.generation import PARIS


def homework_event(homework: Homework) -> icalendar.Event:
    event = icalendar.Event()
    event.add("UID", f"homework-{homework.public_id}@preau")
    event.add(
        "SUMMARY",
        _("%(subject)s : %(kind)s")
        % {"subject": homework.subject.label, "kind": homework.get_kind_display()},
    )
    event.add("DTSTART", homework.due_date)
    event.add("DTEND", homework.due_date + timedelta(days=1))
    event.add("DTSTAMP", homework.created_at)
    event.add("TRANSP", "TRANSPARENT")
    description = strip_tags(homework.instructions).strip()
    if homework.minutes:
        description += "\n" + _("Durée estimée : %(minutes)s min") % {"minutes": homework.minutes}
    event.add("DESCRIPTION", description)
    event.add("CATEGORIES", [_("Travail à faire")])
    return event


def homework_contributor(query: FeedQuery) -> list[icalendar.Event]:
    """A student's homework, or a guardian's child's, due in the feed's range (1 query)."""
    timetable = policies.reader_timetable(query.actor, query.child)
    if timetable is None:
        return []
    first = query.start.astimezone(PARIS).date()
    last = query.end.astimezone(PARIS).date()
    homework = Homework.objects.filter(
        lesson__in=policies.timetable_lessons(timetable), due_date__gte=first, due_date__lt=last
    ).select_related("subject")
    return [homework_event(item) for item in homework.order_by("due_date", "id")]
