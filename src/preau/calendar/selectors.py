"""Reads of the agenda: the occurrences of the calendars' events in a range, as each reader
sees them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from preau.calendar import ical, policies
from preau.calendar.layers import AgendaQuery
from preau.calendar.models import Calendar, CalendarKind, Event
from preau.groups.policies import contributes

if TYPE_CHECKING:
    from preau.core.actor import Actor


def events_between(actor: Actor, calendars: Any, start: datetime, end: datetime) -> list[Event]:
    """The events of these (already accessible) calendars that may occur in [start, end), as
    the actor sees them, with their calendars (1 query). ``calendars`` is a list, or a queryset
    read inside the same query."""
    if isinstance(calendars, QuerySet):
        events = Event.objects.filter(calendar__in=calendars.values("pk")).select_related(
            "calendar__establishment",
            "calendar__school_class",
            "calendar__group",
            "calendar__workspace",
        )
    else:
        if not calendars:
            return []
        by_id = {calendar.pk: calendar for calendar in calendars}
        events = Event.objects.filter(calendar_id__in=list(by_id))
    events = events.filter(start__lt=end).filter(Q(last_end__isnull=True) | Q(last_end__gte=start))
    profiles: dict[int, Any] = {}
    shown = []
    for event in events:
        if not isinstance(calendars, QuerySet):
            event.calendar = by_id[event.calendar_id]
        if event.calendar_id not in profiles:
            profiles[event.calendar_id] = policies.reader_profiles(actor, event.calendar)
        if policies.shows_event(profiles[event.calendar_id], event):
            shown.append(event)
    return shown


def calendar_layer(query: AgendaQuery) -> list[ical.Occurrence]:
    """The calendars' own events: the agenda's first layer."""
    found = []
    for event in events_between(query.actor, query.calendars, query.start, query.end):
        found.extend(ical.occurrences(event, query.start, query.end))
    return found


def day_range(first: date, days: int) -> tuple[datetime, datetime]:
    """Midnight (Paris) of the first day to midnight after the last."""
    return ical.midnight(first), ical.midnight(first + timedelta(days=days))


def feed_events(actor: Actor, calendar: Any, resources: list[str] | None = None) -> list[Event]:
    """Every event of a calendar that its reader sees, or those of the given CalDAV resource
    names (1 query)."""
    profiles = policies.reader_profiles(actor, calendar)
    events = Event.objects.filter(calendar=calendar).order_by("start", "id")
    if resources is not None:
        events = events.filter(resource__in=resources)
    shown = []
    for event in events:
        event.calendar = calendar
        if policies.shows_event(profiles, event):
            shown.append(event)
    return shown


SECTION_SIZE = 5
SECTION_DAYS = 60


def workspace_section(actor: Actor, workspace: Any) -> dict[str, Any]:
    """The workspace's calendar on its page: its next five occurrences within two months (2
    queries) and whether the actor adds events. The workspace was opened by its page
    (``workspace.membership``); its calendar is made with its first event."""
    calendars = Calendar.objects.filter(
        kind=CalendarKind.WORKSPACE,
        workspace=workspace,
        establishment_id=workspace.establishment_id,
    )
    calendar = calendars.first()
    start = timezone.now()
    end = start + timedelta(days=SECTION_DAYS)
    upcoming: list[ical.Occurrence] = []
    # Read as a subquery, so that the section runs its two queries whether the calendar exists.
    for event in events_between(actor, calendars, start, end):
        upcoming.extend(ical.occurrences(event, start, end))
    upcoming.sort(key=lambda occurrence: occurrence.start)
    return {
        "workspace": workspace,
        "calendar": calendar,
        "upcoming": upcoming[:SECTION_SIZE],
        "can_write": contributes(workspace.membership),
    }
