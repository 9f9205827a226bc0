"""What an establishment adds to the national privacy notice: its data-protection officer and
its own text. The rest of the notice (purposes, legal bases, retention) is written once, in the
template, for every establishment."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment


class PrivacyNotice(models.Model):
    establishment = models.OneToOneField(
        Establishment, on_delete=models.CASCADE, related_name="privacy_notice"
    )
    dpo_name = models.CharField(
        _("délégué à la protection des données"), max_length=160, blank=True
    )
    dpo_email = models.EmailField(_("adresse e-mail du délégué"), blank=True)
    dpo_address = models.TextField(_("adresse postale du délégué"), max_length=500, blank=True)
    extra_text = models.TextField(
        _("informations propres à l'établissement"), max_length=4000, blank=True
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("notice de données personnelles")
        verbose_name_plural = _("notices de données personnelles")

    def __str__(self) -> str:
        return str(self.establishment)
