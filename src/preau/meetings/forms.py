"""The campaign form and the range form. Class and level choices come from the establishment;
times are typed in Paris time and stored in UTC. The rules that span fields (windows, the grid
of slots, overlaps) are the actions' (actions.py), so that every caller meets them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Level, SchoolClass
from preau.meetings.models import MAX_SLOT_MINUTES, MIN_SLOT_MINUTES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=_("Heure de Paris."),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label, input_formats=["%H:%M"], widget=forms.TimeInput(attrs={"type": "time"})
    )


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=160)
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"),
        queryset=SchoolClass.objects.none(),
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    levels = forms.ModelMultipleChoiceField(
        label=_("Ou des niveaux entiers"),
        queryset=Level.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    day = forms.DateField(
        label=_("Date"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_time = _time_field(_("Début"))
    end_time = _time_field(_("Fin"))
    slot_minutes = forms.IntegerField(
        label=_("Durée d'un créneau (minutes)"),
        min_value=MIN_SLOT_MINUTES,
        max_value=MAX_SLOT_MINUTES,
        initial=10,
    )
    booking_opens_at = _datetime_field(_("Ouverture des réservations"))
    booking_closes_at = _datetime_field(_("Fermeture des réservations"))
    cancellation_deadline = _datetime_field(_("Annulation possible jusqu'au"))

    def __init__(self, *args: Any, classes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = classes
        self.fields["classes"].label_from_instance = lambda c: c.name
        self.fields["levels"].queryset = Level.objects.filter(
            pk__in=classes.values("level")
        ).order_by("order")
        self.fields["levels"].label_from_instance = lambda level: level.label

    def chosen_classes(self) -> list[SchoolClass]:
        """The classes ticked and those of the levels ticked, once each."""
        chosen = {c.pk: c for c in self.cleaned_data.get("classes") or []}
        levels = self.cleaned_data.get("levels") or []
        if levels:
            for school_class in self.fields["classes"].queryset.filter(level__in=levels):
                chosen.setdefault(school_class.pk, school_class)
        return list(chosen.values())


class RangeForm(forms.Form):
    start_time = _time_field(_("De"))
    end_time = _time_field(_("À"))
    room = forms.CharField(label=_("Salle (facultatif)"), max_length=60, required=False)
