from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DavConfig(AppConfig):
    name = "preau.dav"
    verbose_name = _("Accès WebDAV aux fichiers")
