"""The forms administrators register an OpenID Connect client with (console); the command takes
the same fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.oidc.models import OidcClient


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=255)
    redirect_uris = forms.CharField(
        label=_("Adresses de retour"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Une adresse par ligne, en https:// (par ex. https://moodle.exemple.fr/auth/oidc/)."
        ),
    )
    post_logout_redirect_uris = forms.CharField(
        label=_("Adresses après déconnexion"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Où l'application peut renvoyer après une déconnexion (une par ligne)."),
    )

    def __init__(self, *args: Any, instance: OidcClient | None = None, **kwargs: Any) -> None:
        if instance is not None:
            application = instance.application
            kwargs.setdefault(
                "initial",
                {
                    "name": application.name,
                    "redirect_uris": "\n".join(application.redirect_uris.split()),
                    "post_logout_redirect_uris": "\n".join(
                        application.post_logout_redirect_uris.split()
                    ),
                },
            )
        super().__init__(*args, **kwargs)


class NewClientForm(ClientForm):
    public = forms.BooleanField(
        label=_(
            "Client public (application mobile ou page sans serveur) : pas de secret, PKCE exigé"
        ),
        required=False,
    )


class AcademyClientForm(NewClientForm):
    academy = forms.ModelChoiceField(label=_("Académie"), queryset=None, empty_label=None)

    field_order = ["academy"]

    def __init__(self, *args: Any, academies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies
