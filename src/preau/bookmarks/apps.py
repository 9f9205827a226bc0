from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookmarksConfig(AppConfig):
    name = "preau.bookmarks"
    verbose_name = _("Signets")
