"""Forms of the drive's pages. They parse input; the actions hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.core.uploads import MultipleFileField
from preau.drive.filetypes import ACCEPTED_EXTENSIONS
from preau.drive.models import DriveSettings, Permission

ACCEPT = ",".join(f".{extension}" for extension in ACCEPTED_EXTENSIONS)


class NameForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Fichiers"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update({"accept": ACCEPT, "multiple": True})


class TargetForm(forms.Form):
    """A destination folder among ``folders`` (rows with ``public_id`` and ``label``)."""

    target = forms.ChoiceField(label=_("Dossier de destination"))

    def __init__(self, *args: Any, folders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folders = {str(folder.public_id): folder for folder in folders}
        self.fields["target"].choices = [
            (str(folder.public_id), folder.label) for folder in folders
        ]

    def clean_target(self) -> Any:
        return self.folders[self.cleaned_data["target"]]


class ShareForm(forms.Form):
    """A grantee (a class, a group or a person, as « c:… », « g:… », « p:… ») and a right."""

    grantee = forms.ChoiceField(label=_("Partager avec"))
    permission = forms.ChoiceField(
        label=_("Droit"), choices=Permission.choices, widget=forms.RadioSelect, initial="read"
    )

    def __init__(
        self,
        *args: Any,
        classes: list[Any],
        groups: list[Any],
        people: list[Any],
        permissions: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.targets: dict[str, tuple[str, Any]] = {}
        choices: list[Any] = [("", "—")]
        for prefix, label, rows, kind in (
            ("c", _("Classes"), classes, "school_class"),
            ("g", _("Groupes"), groups, "group"),
            ("p", _("Personnes"), people, "person"),
        ):
            options = []
            for row in rows:
                key = f"{prefix}:{row.public_id}"
                self.targets[key] = (kind, row)
                name = row.get_full_name() if kind == "person" else row.name
                options.append((key, name or str(row)))
            if options:
                choices.append((label, options))
        self.fields["grantee"].choices = choices
        self.fields["permission"].choices = [
            (value, label) for value, label in Permission.choices if value in permissions
        ]

    def clean_grantee(self) -> tuple[str, Any]:
        return self.targets[self.cleaned_data["grantee"]]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = DriveSettings
        fields = [
            "student_quota_mb",
            "teacher_quota_mb",
            "staff_quota_mb",
            "guardian_quota_mb",
            "group_quota_mb",
            "max_file_mb",
        ]
        widgets = {name: forms.NumberInput(attrs={"min": 1, "max": 1_000_000}) for name in fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, value in list(data.items()):
            if value is not None and not 1 <= value <= 1_000_000:
                self.add_error(name, _("Entre 1 et 1 000 000 Mo."))
        return data
