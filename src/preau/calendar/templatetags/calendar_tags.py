"""Template filters of the agenda: the days of an all-day event and a readable repetition."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from preau.calendar.ical import PARIS

register = template.Library()

FREQUENCIES = {
    "DAILY": (gettext_lazy("tous les jours"), gettext_lazy("tous les %(n)s jours")),
    "WEEKLY": (gettext_lazy("toutes les semaines"), gettext_lazy("toutes les %(n)s semaines")),
    "MONTHLY": (gettext_lazy("tous les mois"), gettext_lazy("tous les %(n)s mois")),
    "YEARLY": (gettext_lazy("tous les ans"), gettext_lazy("tous les %(n)s ans")),
}


@register.filter
def first_day(event: Any) -> date:
    return event.start.astimezone(PARIS).date()


@register.filter
def last_day(event: Any) -> date:
    """The last day an event covers (its end is exclusive at midnight)."""
    end = event.end.astimezone(PARIS)
    if end > event.start and end.time() == time(0):
        end -= timedelta(days=1)
    return end.date()


@register.filter
def describe_rrule(rrule: str) -> str:
    """« Toutes les semaines, jusqu'au 3 juillet 2027 » for the rules the portal makes; other
    rules (from phones) are named as repeated, with their raw rule."""
    parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
    frequency = FREQUENCIES.get(parts.get("FREQ", ""))
    known = set(parts) <= {"FREQ", "INTERVAL", "UNTIL", "COUNT"}
    if frequency is None or not known:
        return _("Se répète (%(rule)s)") % {"rule": rrule}
    interval = parts.get("INTERVAL", "1")
    text = str(frequency[0]) if interval == "1" else str(frequency[1]) % {"n": interval}
    text = text[:1].upper() + text[1:]
    if "UNTIL" in parts:
        value = parts["UNTIL"]
        try:
            until = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
            text += ", " + _("jusqu'au %(date)s") % {"date": date_format(until, "j F Y")}
        except ValueError:
            pass
    elif "COUNT" in parts:
        text += ", " + _("%(count)s fois") % {"count": parts["COUNT"]}
    return text
