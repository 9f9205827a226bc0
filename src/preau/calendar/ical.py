"""iCalendar text of events: built from the form, read from CalDAV clients, expanded for display
and gathered into feeds. Built on ``icalendar`` and ``recurring-ical-events``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Preau//Agenda//FR"
# A repeated event is expanded at most this many times in one range (a daily event over a
# month is 31): a safety bound against rules a phone may send, such as every minute.
MAX_OCCURRENCES = 500


class InvalidEvent(ValueError):
    """The iCalendar text is not one event we can store."""


def midnight(day: date) -> datetime:
    """Midnight in Paris of a day, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=PARIS)


def etag_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _as_aware(value: date | datetime) -> datetime:
    """A DTSTART/DTEND value as an aware datetime: dates at midnight in Paris, floating times
    in Paris."""
    if not isinstance(value, datetime):
        return midnight(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=PARIS)
    return value


@dataclass
class Parsed:
    uid: str
    title: str
    description: str
    location: str
    start: datetime
    end: datetime
    all_day: bool
    rrule: str
    last_end: datetime | None
    text: str


def _text(component: Any, name: str, limit: int) -> str:
    value = component.get(name)
    return str(value)[:limit] if value is not None else ""


def _bounds(component: Any) -> tuple[Any, Any]:
    """DTSTART and the exclusive end (DTEND, or DTSTART + DURATION, or the RFC 5545 default)."""
    if "DTSTART" not in component:
        raise InvalidEvent("DTSTART")
    start = component.decoded("DTSTART")
    if "DTEND" in component:
        end = component.decoded("DTEND")
    elif "DURATION" in component:
        end = start + component.decoded("DURATION")
    else:
        end = start + timedelta(days=1) if not isinstance(start, datetime) else start
    return start, end


def _last_end(master: Any, start: datetime, duration: timedelta, others: list[Any]) -> Any:
    """When the last occurrence ends, or None when the event repeats without end."""
    if "RRULE" not in master:
        ends = [start + duration]
    else:
        if "RDATE" in master:
            return None
        rule_text = master["RRULE"].to_ical().decode()
        if "UNTIL" not in rule_text and "COUNT" not in rule_text:
            return None
        local = start.astimezone(PARIS).replace(tzinfo=None)
        cap = MAX_OCCURRENCES * 20
        try:
            rule = rrulestr(rule_text, dtstart=local, ignoretz=True)
            occurrences = list(rule[:cap])
        except (ValueError, TypeError) as exc:
            raise InvalidEvent("RRULE") from exc
        if len(occurrences) == cap:
            return None  # too many to count: taken as without end
        if not occurrences:
            ends = [start + duration]
        else:
            ends = [occurrences[-1].replace(tzinfo=PARIS) + duration + timedelta(hours=1)]
    for other in others:
        _, other_end = _bounds(other)
        ends.append(_as_aware(other_end))
    return max(ends)


def parse(text: str | bytes) -> Parsed:
    """One event (a VEVENT and its exceptions, which share its UID) from a client's text."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise InvalidEvent("syntax") from exc
    if calendar.name != "VCALENDAR":
        raise InvalidEvent("VCALENDAR")
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    others = [c for c in calendar.subcomponents if c.name not in ("VEVENT", "VTIMEZONE")]
    if not events or others:
        raise InvalidEvent("VEVENT")
    uids = {str(c.get("UID", "")) for c in events}
    if len(uids) != 1 or not next(iter(uids)):
        raise InvalidEvent("UID")
    masters = [c for c in events if "RECURRENCE-ID" not in c]
    if len(masters) > 1:
        raise InvalidEvent("RECURRENCE-ID")
    master = masters[0] if masters else events[0]
    try:
        raw_start, raw_end = _bounds(master)
        all_day = not isinstance(raw_start, datetime)
        start, end = _as_aware(raw_start), _as_aware(raw_end)
        if end < start:
            raise InvalidEvent("DTEND")
        overrides = [c for c in events if c is not master]
        last_end = _last_end(master, start, end - start, overrides)
    except (TypeError, AttributeError) as exc:
        raise InvalidEvent("dates") from exc
    rrule = master["RRULE"].to_ical().decode() if "RRULE" in master else ""
    # Kept as sent: a client reads back exactly what it stored, under a strong ETag.
    original = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return Parsed(
        uid=next(iter(uids))[:255],
        title=_text(master, "SUMMARY", 200) or "—",
        description=_text(master, "DESCRIPTION", 10000),
        location=_text(master, "LOCATION", 200),
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        all_day=all_day,
        rrule=rrule[:500],
        last_end=last_end.astimezone(UTC) if last_end else None,
        text=original,
    )


def build(
    *,
    uid: str,
    title: str,
    description: str,
    location: str,
    start: datetime,
    end: datetime,
    all_day: bool,
    rrule: str,
    base: str = "",
) -> str:
    """The iCalendar text of an event edited in the portal. Over an event a phone stored, only
    the fields the form shows change: alarms, attendees and exceptions stay."""
    calendar = icalendar.Calendar.from_ical(base) if base else None
    master = None
    if calendar is not None:
        master = next(
            (c for c in calendar.subcomponents if c.name == "VEVENT" and "RECURRENCE-ID" not in c),
            None,
        )
    if calendar is None or master is None:
        calendar = icalendar.Calendar()
        calendar.add("PRODID", PRODID)
        calendar.add("VERSION", "2.0")
        master = icalendar.Event()
        master.add("UID", uid)
        calendar.add_component(master)
    sequence = int(master.get("SEQUENCE", 0)) + 1 if base else 0
    for name in (
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "DTSTAMP",
        "LAST-MODIFIED",
        "SEQUENCE",
    ):
        master.pop(name, None)
    master.add("SUMMARY", title)
    if description:
        master.add("DESCRIPTION", description)
    if location:
        master.add("LOCATION", location)
    if all_day:
        master.add("DTSTART", start.astimezone(PARIS).date())
        master.add("DTEND", end.astimezone(PARIS).date())
    else:
        master.add("DTSTART", start.astimezone(PARIS))
        master.add("DTEND", end.astimezone(PARIS))
    if rrule:
        master.add("RRULE", icalendar.vRecur.from_ical(rrule))
    now = timezone.now()
    master.add("DTSTAMP", now)
    master.add("LAST-MODIFIED", now)
    master.add("SEQUENCE", sequence)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


# -- display ------------------------------------------------------------------------------------


@dataclass
class Occurrence:
    """One occurrence in a range, as the agenda shows it: of a calendar's event, or of what
    another layer provides (see layers.py)."""

    start: datetime
    end: datetime
    all_day: bool
    title: str
    location: str
    url: str
    # Where it comes from (a calendar's name) and a kind for its style.
    source: str
    kind: str
    layer: str = "calendar"
    event: Any = None

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(PARIS)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(PARIS)

    @property
    def last_day(self) -> date:
        """The last day the occurrence covers (its end is exclusive)."""
        end = self.local_end
        if end > self.local_start and end.time() == time(0):
            return (end - timedelta(days=1)).date()
        return end.date()

    def days(self) -> list[date]:
        first = self.local_start.date()
        count = (self.last_day - first).days + 1
        return [first + timedelta(days=i) for i in range(max(count, 1))]


def _occurrence(
    event: Any, start: datetime, end: datetime, all_day: bool, title: str, location: str
) -> Occurrence:
    return Occurrence(
        start=start,
        end=end,
        all_day=all_day,
        title=title,
        location=location or event.location,
        url=reverse("calendar:event", kwargs={"public_id": event.public_id})
        + (f"?on={start.astimezone(PARIS).date().isoformat()}" if event.rrule else ""),
        source=str(event.calendar.label),
        kind=event.calendar.kind,
        event=event,
    )


def occurrences(event: Any, start: datetime, end: datetime) -> list[Occurrence]:
    """The occurrences of an event that overlap [start, end)."""
    if not event.rrule:
        if event.start < end and (event.end > start or event.end == event.start >= start):
            return [_occurrence(event, event.start, event.end, event.all_day, event.title, "")]
        return []
    calendar = icalendar.Calendar.from_ical(event.ical)
    found = []
    query = recurring_ical_events.of(calendar, components=["VEVENT"])
    # A generator in start order, read only as far as needed: a rule repeating every second
    # costs no more than MAX_OCCURRENCES.
    for index, component in enumerate(query.after(start)):
        raw_start, raw_end = _bounds(component)
        if index >= MAX_OCCURRENCES or _as_aware(raw_start) >= end:
            break
        found.append(
            _occurrence(
                event,
                _as_aware(raw_start).astimezone(UTC),
                _as_aware(raw_end).astimezone(UTC),
                not isinstance(raw_start, datetime),
                _text(component, "SUMMARY", 200) or event.title,
                _text(component, "LOCATION", 200),
            )
        )
    return found


# -- feeds ----------------------------------------------------------------------------------------


def feed(name: str, events: list[Any]) -> bytes:
    """A calendar of these events for subscription: their components as stored, with the
    time zones they use."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", "Europe/Paris")
    zones: dict[str, Any] = {}
    for event in events:
        stored = icalendar.Calendar.from_ical(event.ical)
        for component in stored.subcomponents:
            if component.name == "VTIMEZONE":
                zones.setdefault(str(component.get("TZID")), component)
            elif component.name == "VEVENT":
                calendar.add_component(component)
    for zone in zones.values():
        calendar.add_component(zone)
    calendar.add_missing_timezones()
    return calendar.to_ical()
