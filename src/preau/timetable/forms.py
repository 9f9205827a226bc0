"""Forms of the timetable. Every choice (class, group, subject, teacher) comes from the
establishment of the page and the current year: a value posted by hand from elsewhere fails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Profile, SchoolClass, Subject, TeachingGroup
from preau.timetable.generation import PARIS
from preau.timetable.models import WEEKDAYS, ClosedDayKind, TimetableSettings, Weeks

User = get_user_model()


def teachers_of(establishment: Any, year: Any) -> Any:
    return (
        User.objects.filter(
            memberships__establishment=establishment,
            memberships__school_year=year,
            memberships__profile=Profile.TEACHER,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class OnePersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class AudienceMixin(forms.Form):
    """A class or a group of the establishment (exactly one)."""

    school_class = forms.ModelChoiceField(
        label=_("Classe"),
        queryset=SchoolClass.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    group = forms.ModelChoiceField(
        label=_("Groupe"),
        queryset=TeachingGroup.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    subject = forms.ModelChoiceField(
        label=_("Matière"), queryset=Subject.objects.none(), to_field_name="public_id"
    )
    teachers = PersonChoiceField(
        label=_("Enseignants"), queryset=User.objects.none(), to_field_name="public_id"
    )
    room = forms.CharField(label=_("Salle"), max_length=40, required=False)

    def setup(self, establishment: Any, year: Any) -> None:
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            establishment=establishment, school_year=year
        ).select_related("level")
        self.fields["group"].queryset = TeachingGroup.objects.filter(
            establishment=establishment, school_year=year
        )
        self.fields["subject"].queryset = Subject.objects.filter(establishment=establishment)
        self.fields["teachers"].queryset = teachers_of(establishment, year)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("school_class")) == bool(data.get("group")):
            raise forms.ValidationError(_("Choisissez une classe ou un groupe (l'un des deux)."))
        return data


class CourseForm(AudienceMixin):
    weekday = forms.TypedChoiceField(label=_("Jour"), choices=WEEKDAYS[:6], coerce=int)
    start_time = forms.TimeField(label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Fin"), widget=forms.TimeInput(attrs={"type": "time"}))
    weeks = forms.ChoiceField(label=_("Semaines"), choices=Weeks.choices, initial=Weeks.EVERY)
    valid_from = forms.DateField(
        label=_("À partir du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, establishment: Any, year: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.setup(establishment, year)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("La fin doit être après le début."))
        for name in ("valid_from", "valid_until"):
            day = data.get(name)
            if day and not self.year.start_date <= day <= self.year.end_date:
                self.add_error(name, _("Cette date est en dehors de l'année scolaire."))
        first, last = data.get("valid_from"), data.get("valid_until")
        if first and last and last < first:
            self.add_error("valid_until", _("La fin doit être après le début."))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = TimetableSettings
        fields = ["zone", "week_a_start"]
        widgets = {"week_a_start": forms.DateInput(attrs={"type": "date"})}

    def clean_week_a_start(self) -> Any:
        day = self.cleaned_data.get("week_a_start")
        if day and day.isoweekday() != 1:
            raise forms.ValidationError(_("Choisissez un lundi."))
        return day


class ClosedDayForm(forms.Form):
    day = forms.DateField(label=_("Jour"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Type"), choices=ClosedDayKind.choices)
    label = forms.CharField(label=_("Libellé"), max_length=120)


class WeekOverrideForm(forms.Form):
    monday = forms.DateField(
        label=_("Semaine du (lundi)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    week = forms.ChoiceField(
        label=_("Semaine"), choices=[(Weeks.A, Weeks.A.label), (Weeks.B, Weeks.B.label)]
    )

    def clean_monday(self) -> Any:
        day = self.cleaned_data["monday"]
        if day.isoweekday() != 1:
            raise forms.ValidationError(_("Choisissez un lundi."))
        return day


class NoteMixin(forms.Form):
    note = forms.CharField(
        label=_("Message aux élèves et aux familles"), max_length=300, required=False
    )


class CancelForm(NoteMixin):
    pass


class RoomForm(NoteMixin):
    room = forms.CharField(label=_("Nouvelle salle"), max_length=40)


class MoveForm(NoteMixin):
    day = forms.DateField(label=_("Nouveau jour"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Fin"), widget=forms.TimeInput(attrs={"type": "time"}))
    room = forms.CharField(label=_("Salle"), max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["end_time"] <= data["start_time"]
        ):
            self.add_error("end_time", _("La fin doit être après le début."))
        return data

    def bounds(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return (
            datetime.combine(data["day"], data["start_time"], tzinfo=PARIS),
            datetime.combine(data["day"], data["end_time"], tzinfo=PARIS),
        )


class ReplacementForm(NoteMixin):
    teacher = OnePersonChoiceField(
        label=_("Remplaçant"),
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Aucun (fin du remplacement)"),
    )

    def __init__(self, *args: Any, establishment: Any, year: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers_of(establishment, year)


class ExtraLessonForm(AudienceMixin, NoteMixin):
    day = forms.DateField(label=_("Jour"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Fin"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, establishment: Any, year: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup(establishment, year)

    bounds = MoveForm.bounds


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("Colonnes et format : voir la documentation de l'emploi du temps."),
    )
    replace = forms.BooleanField(
        label=_("Remplacer les cours existants de l'année"), required=False
    )
