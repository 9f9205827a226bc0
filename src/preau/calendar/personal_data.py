"""A person's calendar events, for the export of their data (preau.privacy): the events of
their own calendars and those they wrote in a class's or a group's calendar."""

from typing import Any

from django.db.models import F, Q

from preau.calendar.models import Event
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    events = (
        Event.objects.filter(Q(calendar__owner=person) | Q(created_by=person))
        .order_by("start", "pk")
        .values(
            "uid",
            "title",
            "description",
            "location",
            "start",
            "end",
            "all_day",
            "rrule",
            "created_at",
            "updated_at",
            agenda=F("calendar__name"),
            etablissement=F("establishment__name"),
        )
    )
    return PersonalData(records={"evenements": rows(events)})
