from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.api.models import Scope

EXPIRY_CHOICES = [
    ("30", _("Dans 30 jours")),
    ("90", _("Dans 90 jours")),
    ("365", _("Dans un an")),
    ("", _("Jamais")),
]


class TokenForm(forms.Form):
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

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("expiry")
        return timezone.now() + timedelta(days=int(days)) if days else None
