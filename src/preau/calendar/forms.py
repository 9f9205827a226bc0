"""The forms of the agenda: an event (with its calendar, its dates and its repetition) and a
personal calendar's name."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.calendar import ical, policies
from preau.calendar.models import Calendar, CalendarKind, Event
from preau.directory.models import Profile

# The repetitions the form offers, as RRULE frequencies.
REPEATS = [
    ("", _("Ne se répète pas")),
    ("FREQ=DAILY", _("Tous les jours")),
    ("FREQ=WEEKLY", _("Toutes les semaines")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Toutes les deux semaines")),
    ("FREQ=MONTHLY", _("Tous les mois")),
    ("FREQ=YEARLY", _("Tous les ans")),
]
KEEP = "keep"
# ISO values, which the browsers' date and time pickers read whatever the language.
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
TIME_INPUT = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
ESTABLISHMENT = "establishment"


def _split_rrule(rrule: str) -> tuple[str, date | None]:
    """The form's choice and end date for a stored rule, or (KEEP, None) for a rule made
    elsewhere that the form cannot show."""
    if not rrule:
        return "", None
    parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
    until = parts.pop("UNTIL", None)
    base = ";".join(f"{key}={parts[key]}" for key in ("FREQ", "INTERVAL") if key in parts)
    if set(parts) - {"FREQ", "INTERVAL"} or parts.get("INTERVAL") not in (None, "2"):
        return KEEP, None
    if base not in dict(REPEATS):
        return KEEP, None
    until_date = None
    if until:
        try:
            until_date = datetime.strptime(until[:8], "%Y%m%d").date()
        except ValueError:
            return KEEP, None
    return base, until_date


class EventForm(forms.Form):
    calendar = forms.ChoiceField(label=_("Agenda"))
    title = forms.CharField(label=_("Titre"), max_length=200)
    all_day = forms.BooleanField(label=_("Toute la journée"), required=False)
    start_date = forms.DateField(label=_("Date de début"), widget=DATE_INPUT)
    start_time = forms.TimeField(
        label=_("Heure de début"),
        required=False,
        widget=TIME_INPUT,
    )
    end_date = forms.DateField(
        label=_("Date de fin"),
        required=False,
        widget=DATE_INPUT,
    )
    end_time = forms.TimeField(
        label=_("Heure de fin"),
        required=False,
        widget=TIME_INPUT,
    )
    location = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea
    )
    repeat = forms.ChoiceField(label=_("Répétition"), required=False, choices=REPEATS)
    repeat_until = forms.DateField(
        label=_("Jusqu'au"),
        required=False,
        help_text=_("Laissez vide pour une répétition sans fin."),
        widget=DATE_INPUT,
    )
    profiles = forms.MultipleChoiceField(
        label=_("Pour (agenda de l'établissement)"),
        required=False,
        choices=Profile.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun profil coché : tout l'établissement."),
    )

    def __init__(
        self,
        *args: Any,
        actor: Any,
        event: Event | None = None,
        initial_calendar: str = "",
        **kwargs: Any,
    ) -> None:
        self.actor = actor
        self.event = event
        self.targets: dict[str, dict[str, Any]] = {}
        if event is not None:
            kwargs.setdefault("initial", self._initial_from(event))
        super().__init__(*args, **kwargs)
        choices = self._targets(actor, event)
        self.fields["calendar"].choices = choices
        if event is not None:
            self.fields["calendar"].disabled = True
        elif initial_calendar in self.targets:
            self.fields["calendar"].initial = initial_calendar
        if event is not None and self.initial.get("repeat") == KEEP:
            self.fields["repeat"].choices = [
                (KEEP, _("Garder la répétition définie sur un autre appareil")),
                *REPEATS,
            ]
        if not self._offers_establishment(event):
            del self.fields["profiles"]

    def _offers_establishment(self, event: Event | None) -> bool:
        if event is not None:
            return event.calendar.kind == CalendarKind.ESTABLISHMENT
        return ESTABLISHMENT in self.targets

    def _targets(self, actor: Any, event: Event | None) -> list[tuple[str, Any]]:
        if event is not None:
            key = str(event.calendar.public_id)
            self.targets[key] = {"calendar": event.calendar}
            return [(key, event.calendar.label)]
        choices: list[tuple[str, Any]] = []
        personal = list(policies.personal_calendars(actor))
        if not personal:
            self.targets["personal"] = {"personal": True}
            choices.append(("personal", _("Mon agenda")))
        for calendar in personal:
            self.targets[str(calendar.public_id)] = {"calendar": calendar}
            choices.append((str(calendar.public_id), calendar.label))
        if policies.writes_establishment(actor):
            self.targets[ESTABLISHMENT] = {}
            choices.append((ESTABLISHMENT, actor.establishment.name))
        for school_class in policies.writable_classes(actor):
            key = f"class:{school_class.public_id}"
            self.targets[key] = {"school_class": school_class}
            choices.append((key, _("Classe %(name)s") % {"name": school_class.name}))
        for group in policies.writable_groups(actor):
            key = f"group:{group.public_id}"
            self.targets[key] = {"group": group}
            choices.append((key, _("Groupe %(name)s") % {"name": group.name}))
        for workspace in policies.writable_workspaces(actor):
            key = f"workspace:{workspace.public_id}"
            self.targets[key] = {"workspace": workspace}
            choices.append((key, _("Espace %(name)s") % {"name": workspace.name}))
        return choices

    @staticmethod
    def _initial_from(event: Event) -> dict[str, Any]:
        start = event.start.astimezone(ical.PARIS)
        end = event.end.astimezone(ical.PARIS)
        if event.all_day:
            end = end - timedelta(days=1)
        repeat, until = _split_rrule(event.rrule)
        return {
            "calendar": str(event.calendar.public_id),
            "title": event.title,
            "all_day": event.all_day,
            "start_date": start.date(),
            "start_time": None if event.all_day else start.time().replace(second=0),
            "end_date": end.date(),
            "end_time": None if event.all_day else end.time().replace(second=0),
            "location": event.location,
            "description": event.description,
            "repeat": repeat,
            "repeat_until": until,
            "profiles": event.profiles,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start_date = data.get("start_date")
        if start_date is None:
            return data
        end_date = data.get("end_date") or start_date
        if data.get("all_day"):
            if end_date < start_date:
                self.add_error(
                    "end_date", _("La fin doit être le même jour que le début ou après.")
                )
                return data
            data["start"] = ical.midnight(start_date)
            data["end"] = ical.midnight(end_date + timedelta(days=1))
        else:
            start_time, end_time = data.get("start_time"), data.get("end_time")
            if start_time is None:
                self.add_error(
                    "start_time", _("Indiquez l'heure de début, ou « toute la journée ».")
                )
            if end_time is None:
                if start_time is not None and not data.get("end_date"):
                    end_time = (
                        datetime.combine(start_date, start_time) + timedelta(hours=1)
                    ).time()
                    if end_time < start_time:
                        end_date = start_date + timedelta(days=1)
                else:
                    self.add_error("end_time", _("Indiquez l'heure de fin."))
            if start_time is None or end_time is None:
                return data
            data["start"] = datetime.combine(start_date, start_time, tzinfo=ical.PARIS)
            data["end"] = datetime.combine(end_date, end_time, tzinfo=ical.PARIS)
            if data["end"] <= data["start"]:
                self.add_error("end_time", _("La fin doit être après le début."))
                return data
        repeat = data.get("repeat") or ""
        until = data.get("repeat_until")
        if repeat == KEEP and self.event is not None:
            data["rrule"] = self.event.rrule
        elif repeat:
            if until is not None and until < start_date:
                self.add_error("repeat_until", _("La répétition doit finir après le début."))
                return data
            rule = repeat
            if until is not None and data.get("all_day"):
                rule += ";UNTIL=" + until.strftime("%Y%m%d")
            elif until is not None:
                last = datetime.combine(until, time(23, 59, 59), tzinfo=ical.PARIS)
                rule += ";UNTIL=" + last.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            data["rrule"] = rule
        else:
            data["rrule"] = ""
        return data

    def target(self) -> dict[str, Any]:
        return self.targets[self.cleaned_data["calendar"]]


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ["name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
