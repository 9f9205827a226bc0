"""The logbook's forms: an entry, a homework, a copy, a visa, the settings.

Uploads are checked before anything is stored (core/uploads.py). Dates must lie in the school
year: a homework is due after the lesson it is given on and before the year ends.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.core import uploads
from preau.core.uploads import CheckedFile, MultipleFileField
from preau.logbook.models import HomeworkKind
from preau.timetable.models import Lesson

ATTACHMENT_EXTENSIONS = frozenset(uploads.FILE_TYPES) - {"gif"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_MAX = 10
TEXT_HELP = _(
    "Texte simple (une ligne vide sépare les paragraphes) ou HTML : paragraphes, gras, "
    "italique, listes, intertitres, citations et liens."
)


def checked_attachment(upload: Any) -> CheckedFile:
    return uploads.check_attachment(
        upload,
        extensions=ATTACHMENT_EXTENSIONS,
        max_bytes=ATTACHMENT_MAX_BYTES,
        refused_message=_(
            "« %(name)s » n'est pas accepté : seuls les PDF, les images (PNG, JPEG, WebP) et "
            "les documents bureautiques (docx, xlsx, pptx, odt, ods, odp) le sont."
        ),
        mimetype_first=True,
    )


class AttachmentsMixin:
    def clean_attachments(self) -> list[CheckedFile]:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > ATTACHMENTS_MAX:
            raise forms.ValidationError(
                _("%(count)s pièces jointes au plus."), params={"count": ATTACHMENTS_MAX}
            )
        errors, checked = [], []
        for upload in files:
            try:
                checked.append(checked_attachment(upload))
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return checked


def _attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        help_text=_(
            "PDF, images ou documents bureautiques (docx, xlsx, pptx, odt, ods, odp), "
            "10 Mo au plus chacun."
        ),
    )


class EntryForm(AttachmentsMixin, forms.Form):
    content = forms.CharField(
        label=_("Contenu de la séance"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=TEXT_HELP,
    )
    attachments = _attachments_field()
    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Pièces jointes à retirer"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, entry: Any = None, **kwargs: Any) -> None:
        if entry is not None and "initial" not in kwargs:
            kwargs["initial"] = {"content": entry.content}
        super().__init__(*args, **kwargs)
        if entry is None:
            del self.fields["remove_attachments"]
        else:
            self.fields["remove_attachments"].queryset = entry.attachments.all()
            self.fields["remove_attachments"].label_from_instance = lambda a: a.original_name


class LessonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lesson) -> str:
        local = obj.start.astimezone(_paris())
        return f"{obj.subject.label} · {local:%d/%m/%Y %H:%M}"


def _paris() -> Any:
    from preau.timetable.generation import PARIS

    return PARIS


class HomeworkForm(AttachmentsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=HomeworkKind.choices)
    instructions = forms.CharField(
        label=_("Consignes"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=TEXT_HELP,
    )
    due_lesson = LessonChoice(
        label=_("Pour la séance"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label=_("— choisir une date plutôt —"),
        error_messages={"invalid_choice": _("Choisissez une séance suivante de la classe.")},
    )
    due_date = forms.DateField(
        label=_("Ou pour le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    minutes = forms.IntegerField(
        label=_("Durée estimée (minutes)"), min_value=0, max_value=600, initial=15
    )
    drop_box = forms.ModelChoiceField(
        label=_("Casier de dépôt"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        help_text=_("Pour un travail à rendre : un de vos casiers pour cette classe."),
        error_messages={"invalid_choice": _("Choisissez un de vos casiers pour cette classe.")},
    )
    attachments = _attachments_field()
    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Pièces jointes à retirer"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        lesson: Lesson,
        due_lessons: Any,
        drop_boxes: Any,
        homework: Any = None,
        **kwargs: Any,
    ) -> None:
        if homework is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": homework.kind,
                "instructions": homework.instructions,
                "due_lesson": homework.due_lesson.public_id if homework.due_lesson else None,
                "due_date": None if homework.due_lesson_id else homework.due_date,
                "minutes": homework.minutes,
                "drop_box": homework.drop_box.public_id if homework.drop_box_id else None,
            }
        super().__init__(*args, **kwargs)
        self.lesson = lesson
        self.fields["due_lesson"].queryset = due_lessons
        self.fields["drop_box"].queryset = drop_boxes
        self.fields["drop_box"].label_from_instance = lambda box: box.title
        if homework is None:
            del self.fields["remove_attachments"]
        else:
            self.fields["remove_attachments"].queryset = homework.attachments.all()
            self.fields["remove_attachments"].label_from_instance = lambda a: a.original_name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        due_lesson, due_date = data.get("due_lesson"), data.get("due_date")
        if self.errors:
            return data
        if due_lesson is None and due_date is None:
            raise forms.ValidationError(
                _("Choisissez la séance ou la date pour laquelle le travail est à faire."),
                code="no_due",
            )
        day = due_lesson.date if due_lesson is not None else due_date
        year = self.lesson.school_year
        if not (year.start_date <= day <= year.end_date):
            self.add_error(
                "due_date",
                forms.ValidationError(
                    _("La date doit être dans l'année scolaire (du %(start)s au %(end)s)."),
                    code="outside_year",
                    params={
                        "start": year.start_date.strftime("%d/%m/%Y"),
                        "end": year.end_date.strftime("%d/%m/%Y"),
                    },
                ),
            )
        elif day <= self.lesson.date:
            self.add_error(
                "due_date",
                forms.ValidationError(
                    _("Le travail est à faire pour une date après la séance."), code="not_after"
                ),
            )
        if data.get("drop_box") is not None and data.get("kind") != HomeworkKind.HAND_IN:
            self.add_error("drop_box", _("Un casier ne se joint qu'à un travail à rendre."))
        data["day"] = day
        return data


class CopyForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Séance à copier"),
        queryset=None,
        to_field_name="public_id",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choisissez une de vos séances.")},
    )

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        paris = _paris()
        self.fields["source"].label_from_instance = lambda entry: (
            f"{entry.lesson.audience.name} · {entry.lesson.subject.label} · "
            f"{entry.lesson.start.astimezone(paris):%d/%m/%Y}"
        )


class VisaForm(forms.Form):
    period_start = forms.DateField(
        label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, school_year: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school_year = school_year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start is None or end is None:
            return data
        year = self.school_year
        if start < year.start_date or end > year.end_date:
            raise forms.ValidationError(
                _("La période doit être dans l'année scolaire (du %(start)s au %(end)s)."),
                code="outside_year",
                params={
                    "start": year.start_date.strftime("%d/%m/%Y"),
                    "end": year.end_date.strftime("%d/%m/%Y"),
                },
            )
        if end < start:
            raise forms.ValidationError(_("La fin de la période suit son début."), code="order")
        if end > timezone.localdate():
            self.add_error("period_end", _("On ne vise pas une période à venir."))
        return data


class SettingsForm(forms.Form):
    max_tests_per_day = forms.IntegerField(
        label=_("Contrôles par jour au plus"), min_value=0, max_value=10
    )
    max_minutes_per_day = forms.IntegerField(
        label=_("Minutes de travail par jour au plus"), min_value=0, max_value=600
    )
