"""Forms of the discipline pages. Choices come from the policies: a teacher's student list never
holds another class's students, and a supervisor is always a member of the establishment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.discipline import policies
from preau.discipline.actions import MeasureData, establishment_staff
from preau.discipline.models import (
    PUNISHMENTS,
    SANCTIONS,
    IncidentCategory,
    Kind,
    Measure,
    OtherPunishment,
    Role,
)


def _date() -> forms.DateInput:
    # The browser's date field reads and writes ISO dates, whatever the language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.last_name} {obj.first_name}"


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.last_name} {obj.first_name}"


def _students(actor: Any) -> Any:
    return policies.concerned_students(actor).order_by("last_name", "first_name")


class MeasureForm(forms.Form):
    student = PersonChoice(queryset=None, to_field_name="public_id", label=_("Élève"))
    kind = forms.ChoiceField(label=_("Nature"))
    other_kind = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Autre punition (si « Autre punition »)")
    )
    reason = forms.CharField(
        label=_("Motif"), max_length=200, help_text=_("Lu par l'élève et ses responsables.")
    )
    decided_on = forms.DateField(label=_("Date de la décision"), widget=_date())
    incident = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="public_id", label=_("Incident lié")
    )
    detention_date = forms.DateField(
        required=False,
        label=_("Date de la retenue"),
        widget=_date(),
    )
    start_time = forms.TimeField(required=False, label=_("Début"), widget=_time())
    end_time = forms.TimeField(required=False, label=_("Fin"), widget=_time())
    place = forms.CharField(required=False, max_length=120, label=_("Lieu de la retenue"))
    supervisor = PersonChoice(
        queryset=None, required=False, to_field_name="public_id", label=_("Surveillant")
    )
    due_date = forms.DateField(
        required=False,
        label=_("Devoir à rendre le"),
        widget=_date(),
    )
    family_text = forms.CharField(
        label=_("Texte pour la famille"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Lu par l'élève et ses responsables."),
    )
    staff_notes = forms.CharField(
        required=False,
        label=_("Notes internes"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Jamais montrées à l'élève ni à sa famille."),
    )
    acknowledgement_required = forms.BooleanField(
        required=False, initial=True, label=_("Demander aux responsables d'en prendre connaissance")
    )
    publish = forms.BooleanField(
        required=False, initial=True, label=_("Publier maintenant à la famille")
    )

    sanction = False

    def __init__(self, *args: Any, actor: Any, measure: Measure | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        establishment = actor.establishment
        self.actor, self.measure = actor, measure
        kinds = SANCTIONS if self.sanction else PUNISHMENTS
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["student"].queryset = _students(actor)
        self.fields["other_kind"].queryset = OtherPunishment.objects.filter(
            establishment=establishment, active=True
        )
        self.fields["incident"].queryset = (
            policies.visible_incidents(actor)
            .filter(school_year=actor.school_year)
            .select_related("category")
            .order_by("-occurred_at")
        )
        staff = establishment_staff(establishment, actor.school_year)
        self.fields["supervisor"].queryset = staff.order_by("last_name", "first_name")
        if measure is not None:
            # The student of a measure does not change; its publication is its own action.
            del self.fields["student"]
            del self.fields["publish"]
        if self.sanction:
            for name in ("other_kind", "detention_date", "start_time", "end_time", "place"):
                del self.fields[name]
            del self.fields["supervisor"], self.fields["due_date"]
        if not self.is_bound and measure is None:
            self.initial.setdefault("decided_on", timezone.localdate())

    def data_for_action(self) -> MeasureData:
        values = {k: v for k, v in self.cleaned_data.items() if k != "publish"}
        if self.measure is not None:
            values["student"] = self.measure.student
        values.setdefault("place", "")
        return MeasureData(**values)


class SanctionForm(MeasureForm):
    by_council = forms.BooleanField(
        required=False, label=_("Prononcée par le conseil de discipline")
    )
    start_date = forms.DateField(required=False, label=_("Du"), widget=_date())
    end_date = forms.DateField(required=False, label=_("Au"), widget=_date())
    suspended = forms.BooleanField(required=False, label=_("Avec sursis"))

    sanction = True


def measure_initial(measure: Measure) -> dict[str, Any]:
    initial = {
        name: getattr(measure, name)
        for name in (
            "kind",
            "other_kind",
            "reason",
            "decided_on",
            "detention_date",
            "start_time",
            "end_time",
            "place",
            "due_date",
            "family_text",
            "staff_notes",
            "acknowledgement_required",
            "by_council",
            "start_date",
            "end_date",
            "suspended",
        )
    }
    initial["incident"] = measure.incident.public_id if measure.incident_id else None
    initial["supervisor"] = measure.supervisor.public_id if measure.supervisor_id else None
    return initial


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=200)


class IncidentForm(forms.Form):
    category = forms.ModelChoiceField(queryset=None, label=_("Catégorie"))
    occurred_at = forms.DateTimeField(
        label=_("Date et heure"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(required=False, max_length=120, label=_("Lieu"))
    description = forms.CharField(
        label=_("Ce qui s'est passé"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    authors = PeopleChoice(
        queryset=None, required=False, to_field_name="public_id", label=_("Auteurs")
    )
    victims = PeopleChoice(
        queryset=None, required=False, to_field_name="public_id", label=_("Victimes")
    )
    witnesses = PeopleChoice(
        queryset=None, required=False, to_field_name="public_id", label=_("Témoins")
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = IncidentCategory.objects.filter(
            establishment=actor.establishment, active=True
        )
        students = _students(actor)
        for name in ("authors", "victims", "witnesses"):
            self.fields[name].queryset = students
            self.fields[name].widget.attrs["size"] = 6

    def involved(self) -> list[tuple[Any, str]]:
        return [
            *((s, Role.AUTHOR) for s in self.cleaned_data["authors"]),
            *((s, Role.VICTIM) for s in self.cleaned_data["victims"]),
            *((s, Role.WITNESS) for s in self.cleaned_data["witnesses"]),
        ]


class FilterForm(forms.Form):
    """The establishment list's filters: class, period, kind."""

    school_class = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="public_id", label=_("Classe")
    )
    period = forms.ModelChoiceField(queryset=None, required=False, label=_("Période"))
    kind = forms.ChoiceField(required=False, label=_("Nature"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        from preau.directory.models import Period, SchoolClass

        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            establishment=actor.establishment, school_year=actor.school_year
        ).order_by("name")
        self.fields["period"].queryset = Period.objects.filter(
            establishment=actor.establishment, school_year=actor.school_year
        )
        self.fields["kind"].choices = [
            ("", _("Toutes")),
            ("punishments", _("Toutes les punitions")),
            ("sanctions", _("Toutes les sanctions")),
            *Kind.choices,
        ]
