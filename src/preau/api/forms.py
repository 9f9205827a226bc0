from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.accounts.forms import current_password_ok
from preau.api.models import Scope

EXPIRY_CHOICES = [
    ("30", _("Dans 30 jours")),
    ("90", _("Dans 90 jours")),
    ("365", _("Dans un an")),
    ("", _("Jamais")),
]


class TokenForm(forms.Form):
    """A new token. The password is asked again: a token outlives the session it was made in,
    so a stolen session must not be able to turn itself into one."""

    name = forms.CharField(
        label=_("Nom"),
        max_length=80,
        help_text=_("Pour vous souvenir de son usage, par exemple « Agenda du téléphone »."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Droits"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un droit.")},
    )
    expiry = forms.ChoiceField(
        label=_("Expiration"), choices=EXPIRY_CHOICES, initial="90", required=False
    )

    current_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not current_password_ok(self.user, password):
            raise ValidationError(_("Mot de passe incorrect."), code="password_incorrect")
        return password

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("expiry")
        return timezone.now() + timedelta(days=int(days)) if days else None
