from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DriveConfig(AppConfig):
    name = "preau.drive"
    verbose_name = _("Espace de stockage")
