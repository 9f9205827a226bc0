from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from preau.rosters.csvimport import FIELDS, IMPORTED_PROFILES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV"),
        help_text=gettext_lazy(
            "Enregistré depuis le tableur au format CSV (UTF-8 ou Windows-1252, séparateur "
            "point-virgule ou virgule), avec une ligne d'en-tête."
        ),
    )


class MappingForm(forms.Form):
    """A Préau field for each column of the file's header (each field used at most once)."""

    default_profile = forms.ChoiceField(
        label=gettext_lazy("Profil des lignes sans profil"),
        choices=[(p.value, p.label) for p in IMPORTED_PROFILES],
    )

    def __init__(self, *args: Any, header: list[str], mapping: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", gettext_lazy("— ne pas importer —")), *FIELDS]
        self.header = header
        for i, column in enumerate(header):
            self.fields[f"column_{i}"] = forms.ChoiceField(
                label=column or _("Colonne %d") % (i + 1),
                choices=choices,
                required=False,
                initial=mapping[i] if i < len(mapping) else "",
            )
        self.order_fields([f"column_{i}" for i in range(len(header))])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [data.get(f"column_{i}", "") for i in range(len(self.header))]
        labels = dict(FIELDS)
        for name in {c for c in chosen if c and chosen.count(c) > 1}:
            raise forms.ValidationError(
                _("Le champ « %s » est associé à plusieurs colonnes.") % labels[name]
            )
        data["mapping"] = chosen
        return data


class OneRosterImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Archive OneRoster 1.2 (ZIP)"))
    dry_run = forms.BooleanField(
        label=gettext_lazy("Vérifier seulement (ne rien enregistrer)"), required=False
    )
