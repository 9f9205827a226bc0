"""The drop box form, the hand-in form and the return form.

Choices come from the policies (a teacher's own classes, groups and subjects); uploads are
checked by files.py before anything is stored. Dates are typed in Paris time and stored in UTC.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.core.uploads import MIB, MultipleFileField
from preau.dropbox import files, policies
from preau.dropbox.models import MAX_FILES_LIMIT, DropBox

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any, *, required: bool, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def files_help() -> Any:
    return _(
        "PDF, images (PNG, JPEG, WebP) ou documents bureautiques (docx, xlsx, pptx, odt, ods, "
        "odp), %(size)s Mo au plus chacun."
    ) % {"size": files.max_file_bytes() // MIB}


class DropBoxForm(forms.Form):
    """A drop box; on creation, its class or group among those the teacher teaches."""

    audience = forms.ChoiceField(label=_("Classe ou groupe"))
    title = forms.CharField(label=_("Titre"), max_length=160)
    instructions = forms.CharField(
        label=_("Consignes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Texte simple (une ligne vide sépare les paragraphes) ou HTML : paragraphes, gras, "
            "italique, listes, citations et liens."
        ),
    )
    subject = forms.ModelChoiceField(
        label=_("Matière"), queryset=None, required=False, to_field_name="public_id"
    )
    opens_at = _datetime_field(
        _("Ouverture"),
        required=False,
        help_text=_("Heure de Paris. Laissez vide pour ouvrir tout de suite."),
    )
    deadline = _datetime_field(_("Date limite"), required=True, help_text=_("Heure de Paris."))
    accepts_late = forms.BooleanField(
        label=_("Accepter les dépôts après la date limite (marqués en retard)"), required=False
    )
    max_files = forms.IntegerField(
        label=_("Nombre de fichiers par élève"), min_value=1, max_value=MAX_FILES_LIMIT, initial=3
    )

    def __init__(self, *args: Any, actor: Any, box: DropBox | None = None, **kwargs: Any) -> None:
        if box is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": box.title,
                "instructions": box.instructions,
                "subject": box.subject.public_id if box.subject else None,
                "opens_at": timezone.localtime(box.opens_at),
                "deadline": timezone.localtime(box.deadline),
                "accepts_late": box.accepts_late,
                "max_files": box.max_files,
            }
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.box = box
        self.fields["subject"].queryset = policies.openable_subjects(actor)
        self.fields["subject"].label_from_instance = lambda s: s.label
        if box is not None:
            # A drop box stays with its class or group: students have handed in there.
            del self.fields["audience"]
            self.fields["opens_at"].required = True
        else:
            self.audiences = {
                **{f"class:{c.public_id}": c for c in policies.openable_classes(actor)},
                **{f"group:{g.public_id}": g for g in policies.openable_groups(actor)},
            }
            self.fields["audience"].choices = [("", "—")] + [
                (key, obj.name) for key, obj in self.audiences.items()
            ]

    def clean_audience(self) -> Any:
        return self.audiences[self.cleaned_data["audience"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens_at, deadline = data.get("opens_at"), data.get("deadline")
        start = opens_at or (self.box.opens_at if self.box else timezone.now())
        if deadline is not None:
            if self.box is None and deadline <= timezone.now():
                self.add_error("deadline", _("La date limite doit être à venir."))
            elif deadline <= start:
                self.add_error("deadline", _("La date limite doit suivre l'ouverture."))
        return data


class HandInForm(forms.Form):
    files = MultipleFileField(label=_("Fichiers à rendre"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help()

    def clean_files(self) -> list[files.CheckedUpload]:
        uploads = self.cleaned_data.get("files") or []
        if not uploads:
            raise forms.ValidationError(_("Choisissez au moins un fichier."), code="required")
        return files.check_uploads(uploads)


class ReturnForm(forms.Form):
    feedback = forms.CharField(
        label=_("Appréciation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    corrections = MultipleFileField(label=_("Copies corrigées"), required=False)
    remove_corrections = forms.ModelMultipleChoiceField(
        label=_("Corrigés à retirer"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, corrections: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["corrections"].help_text = files_help()
        self.fields["remove_corrections"].queryset = corrections
        self.fields["remove_corrections"].label_from_instance = lambda f: f.original_name

    def clean_corrections(self) -> list[files.CheckedUpload]:
        return files.check_uploads(self.cleaned_data.get("corrections") or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not (data.get("feedback", "").strip() or data.get("corrections")):
            raise forms.ValidationError(
                _("Écrivez une appréciation ou joignez une copie corrigée."), code="empty"
            )
        return data


class DeleteForm(forms.Form):
    delete_work = forms.BooleanField(
        label=_("Je supprime aussi le travail rendu par les élèves"), required=False
    )
