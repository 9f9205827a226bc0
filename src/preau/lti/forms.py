"""The forms of the LTI pages and console."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class PlacementForm(forms.Form):
    tool = forms.ChoiceField(label=_("Outil"))
    title = forms.CharField(label=_("Titre (facultatif)"), max_length=200, required=False)

    def __init__(self, *args: Any, tools: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tools = {str(t.public_id): t for t in tools}
        self.fields["tool"].choices = [(key, t.name) for key, t in self._tools.items()]

    def clean_tool(self) -> Any:
        return self._tools[self.cleaned_data["tool"]]


class ToolForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120)
    login_url = forms.URLField(
        label=_("Adresse d'initiation de connexion (OIDC)"), max_length=500, assume_scheme="https"
    )
    launch_url = forms.URLField(
        label=_("Adresse de lancement"), max_length=500, assume_scheme="https"
    )
    redirect_uris = forms.CharField(
        label=_("Autres adresses de retour"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Une par ligne ; les adresses de lancement et de sélection sont comprises."),
    )
    deep_linking_url = forms.URLField(
        label=_("Adresse de sélection de contenu (Deep Linking)"),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    public_key = forms.CharField(
        label=_("Clé publique de l'outil (PEM)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    jwks_url = forms.URLField(
        label=_("… ou adresse de son jeu de clés (JWKS)"),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    share_name = forms.BooleanField(label=_("Transmettre les noms"), required=False, initial=True)
    share_email = forms.BooleanField(label=_("Transmettre l'adresse e-mail"), required=False)
    nrps_enabled = forms.BooleanField(
        label=_("L'outil peut lire la liste de la classe (NRPS)"), required=False
    )
    ags_enabled = forms.BooleanField(
        label=_("L'outil peut envoyer des notes (AGS)"), required=False
    )


class AcademyToolForm(ToolForm):
    academy = forms.ModelChoiceField(label=_("Académie"), queryset=None, empty_label=None)

    field_order = ["academy"]

    def __init__(self, *args: Any, academies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies
