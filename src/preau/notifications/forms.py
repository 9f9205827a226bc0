"""The person's notification preferences and the establishment's quiet hours."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from preau.notifications.models import Kind, NotificationPreference, QuietHours

TIME_ERRORS = {
    "invalid": _("Saisissez une heure au format HH:MM, par exemple 20:30."),
    "required": _("Saisissez une heure au format HH:MM, par exemple 20:30."),
}


def time_field(label: Any, *, required: bool, help_text: Any = "") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%H:%M", "%H:%M:%S", "%Hh%M", "%Hh"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages=TIME_ERRORS,
    )


class PreferencesForm(forms.Form):
    """Per kind, the e-mail channels (the portal is always on); and a quiet window of one's own."""

    quiet_start = time_field(
        _("Début de ma plage de calme"),
        required=False,
        help_text=_("Vide : les heures calmes de l'établissement seulement."),
    )
    quiet_end = time_field(_("Fin de ma plage de calme"), required=False)
    quiet_weekends = forms.BooleanField(label=_("Ne rien recevoir le week-end"), required=False)

    def __init__(self, *args: Any, preference: NotificationPreference | None = None, **kw: Any):
        initial = {}
        if preference is not None:
            initial = {
                "quiet_start": preference.quiet_start,
                "quiet_end": preference.quiet_end,
                "quiet_weekends": preference.quiet_weekends,
                **{f"immediate_{k}": True for k in preference.email_immediate},
                **{f"digest_{k}": True for k in preference.email_digest},
            }
        super().__init__(*args, initial=initial, **kw)
        for kind in Kind:
            self.fields[f"immediate_{kind.value}"] = forms.BooleanField(
                label=_("E-mail immédiat : %(kind)s") % {"kind": kind.label}, required=False
            )
            self.fields[f"digest_{kind.value}"] = forms.BooleanField(
                label=_("Récapitulatif quotidien : %(kind)s") % {"kind": kind.label},
                required=False,
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": kind.label,
                "immediate": self[f"immediate_{kind.value}"],
                "digest": self[f"digest_{kind.value}"],
            }
            for kind in Kind
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if "quiet_start" in self.errors or "quiet_end" in self.errors:
            return data
        if (start is None) != (end is None):
            raise ValidationError(
                _("Indiquez le début et la fin de votre plage de calme, ou aucun des deux.")
            )
        if start is not None and start == end:
            raise ValidationError(_("Le début et la fin de la plage de calme doivent différer."))
        return data

    def kinds(self, channel: str) -> list[str]:
        return [k for k in Kind.values if self.cleaned_data.get(f"{channel}_{k}")]


class QuietHoursForm(forms.ModelForm):
    start = time_field(
        _("Début des heures calmes"),
        required=True,
        help_text=_("Heure de Paris, par exemple 20:00."),
    )
    end = time_field(
        _("Fin des heures calmes"),
        required=True,
        help_text=_("Heure de Paris, par exemple 07:00 (le lendemain si elle précède le début)."),
    )

    class Meta:
        model = QuietHours
        fields = ["start", "end", "weekends"]
