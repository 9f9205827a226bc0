from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "preau.rosters"
    verbose_name = _("Imports et exports d'annuaire")
