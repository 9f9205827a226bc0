"""Forms of the console that are about the portal: services and branding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from preau.core.uploads import Refusal, check_image
from preau.directory.models import Establishment, hex_colour
from preau.portal.selectors import ServiceChoice

LOGO_MAX_PIXELS = 4096 * 4096


class ServicesForm(forms.Form):
    """One « activé » box and one position per registered service."""

    def __init__(self, *args: Any, choices: list[ServiceChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        for choice in choices:
            code = choice.service.code
            self.fields[f"enabled_{code}"] = forms.BooleanField(
                label=_("Activé"),
                required=False,
                initial=choice.enabled,
                disabled=not choice.service.can_be_disabled,
            )
            self.fields[f"position_{code}"] = forms.IntegerField(
                label=_("Ordre"), min_value=0, max_value=999, initial=choice.position
            )

    def rows(self) -> list[tuple[ServiceChoice, Any, Any]]:
        return [
            (c, self[f"enabled_{c.service.code}"], self[f"position_{c.service.code}"])
            for c in self.choices
        ]

    def service_settings(self) -> dict[str, tuple[bool, int]]:
        result = {}
        for choice in self.choices:
            code = choice.service.code
            enabled = self.cleaned_data[f"enabled_{code}"] or not choice.service.can_be_disabled
            result[code] = (bool(enabled), self.cleaned_data[f"position_{code}"])
        return result


def checked_logo(upload: Any) -> tuple[bytes, str]:
    """The upload re-encoded by Pillow (metadata dropped), or a ValidationError in French.

    The content decides, not the name or the declared type: only PNG, JPEG and WebP pass.
    """
    logo = check_image(
        upload,
        max_bytes=settings.LOGO_MAX_BYTES,
        max_pixels=LOGO_MAX_PIXELS,
        too_big=Refusal(
            _("Le logo ne doit pas dépasser %(size)s Ko."),
            params={"size": settings.LOGO_MAX_BYTES // 1024},
        ),
        refused=Refusal(_("Le logo doit être une image PNG, JPEG ou WebP."), code="logo_format"),
        too_many_pixels=Refusal(_("Le logo est trop grand (4096 sur 4096 pixels au plus).")),
    )
    return logo.content, logo.extension


class BrandingForm(forms.Form):
    primary_colour = forms.CharField(
        label=_("Couleur principale"),
        max_length=7,
        validators=[hex_colour],
        help_text=_("Au format #RRVVBB, par exemple #1d4e89."),
    )
    accent_colour = forms.CharField(
        label=_("Couleur d'accent"),
        max_length=7,
        validators=[hex_colour],
        help_text=_("Au format #RRVVBB, par exemple #f2a541."),
    )
    welcome_text = forms.CharField(
        label=_("Texte d'accueil"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("Image PNG, JPEG ou WebP."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Retirer le logo actuel"), required=False)

    def __init__(self, *args: Any, establishment: Establishment, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "primary_colour": establishment.primary_colour,
                "accent_colour": establishment.accent_colour,
                "welcome_text": establishment.welcome_text,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_logo(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        return checked_logo(upload)
