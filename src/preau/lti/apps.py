from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "preau.lti"
    verbose_name = _("Outils LTI")
