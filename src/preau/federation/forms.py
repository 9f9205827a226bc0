"""Forms of the academy console for identity providers: they parse, the actions check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.federation.models import IdentityProvider

METADATA_MAX_BYTES = 5 * 1024 * 1024


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Nom affiché"), max_length=80)
    join_attribute = forms.CharField(
        label=_("Attribut ou revendication portant l'identifiant de jointure"),
        max_length=200,
        required=False,
        help_text=_("Par défaut : FrEduCtId (SAML), sub (OpenID Connect)."),
    )
    enabled = forms.BooleanField(label=_("Activé"), required=False, initial=True)
    saml_metadata = forms.CharField(
        label=_("Métadonnées SAML (XML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Collez-les, déposez le fichier ou donnez leur adresse."),
    )
    saml_metadata_file = forms.FileField(label=_("Fichier de métadonnées SAML"), required=False)
    saml_metadata_url = forms.URLField(
        assume_scheme="https",
        label=_("Adresse des métadonnées SAML"),
        required=False,
        max_length=500,
    )
    oidc_issuer = forms.URLField(
        assume_scheme="https",
        label=_("Émetteur OpenID Connect (issuer)"),
        required=False,
        max_length=500,
    )
    oidc_client_id = forms.CharField(label=_("Identifiant client"), required=False, max_length=255)
    oidc_client_secret = forms.CharField(
        label=_("Secret client"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Laissez vide pour garder le secret enregistré."),
    )
    oidc_scopes = forms.CharField(
        label=_("Portées (scopes)"), required=False, max_length=255, initial="openid"
    )

    def clean_saml_metadata_file(self) -> str:
        upload = self.cleaned_data.get("saml_metadata_file")
        if not upload:
            return ""
        if upload.size > METADATA_MAX_BYTES:
            raise forms.ValidationError(_("Les métadonnées sont trop volumineuses."))
        return upload.read().decode("utf-8", errors="replace")

    def action_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        upload = data.pop("saml_metadata_file", "")
        if upload:
            data["saml_metadata"] = upload
        return data

    @classmethod
    def for_provider(cls, provider: IdentityProvider, data: Any = None, files: Any = None) -> Any:
        initial = {
            name: getattr(provider, name)
            for name in (
                "name",
                "join_attribute",
                "enabled",
                "saml_metadata_url",
                "oidc_issuer",
                "oidc_client_id",
                "oidc_scopes",
            )
        }
        form = cls(data, files, initial=initial)
        hidden = (
            ("oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_scopes")
            if provider.is_saml
            else ("saml_metadata", "saml_metadata_file", "saml_metadata_url")
        )
        for name in hidden:
            del form.fields[name]
        return form


class NewProviderForm(ProviderForm):
    academy = forms.ModelChoiceField(label=_("Académie"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Protocole"), choices=IdentityProvider.Kind.choices)
    field_order = ["academy", "kind", "name"]

    def __init__(self, *args: Any, academies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies
