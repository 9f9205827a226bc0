"""The form administrators register a CAS service with (console); the command takes the same."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from preau.cas.models import Attribute, CasService, MatchKind, validate_service_pattern


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120)
    match_kind = forms.ChoiceField(
        label=_("Type d'adresse"), choices=MatchKind.choices, initial=MatchKind.PREFIX
    )
    pattern = forms.CharField(
        label=_("Adresse du service"),
        max_length=500,
        help_text=_(
            "Préfixe exact (https://vie-scolaire.exemple.fr/) ou expression régulière ancrée "
            "(^https://vie-scolaire\\.exemple\\.fr/.*$)."
        ),
    )
    attributes = forms.MultipleChoiceField(
        label=_("Attributs transmis"),
        choices=Attribute.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    may_proxy = forms.BooleanField(
        label=_("Peut obtenir des tickets de proxy (pour appeler d'autres services)"),
        required=False,
    )

    def __init__(self, *args: Any, instance: CasService | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "match_kind": instance.match_kind,
                    "pattern": instance.pattern,
                    "attributes": instance.attributes,
                    "may_proxy": instance.may_proxy,
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "pattern" in data and "match_kind" in data:
            data["pattern"] = data["pattern"].strip()
            try:
                validate_service_pattern(data["match_kind"], data["pattern"])
            except ValidationError as error:
                self.add_error("pattern", error)
        return data


class AcademyServiceForm(ServiceForm):
    academy = forms.ModelChoiceField(label=_("Académie"), queryset=None, empty_label=None)

    field_order = ["academy"]

    def __init__(self, *args: Any, academies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies
