from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookmarksConfig(AppConfig):
    name = "preau.bookmarks"
    verbose_name = _("Signets")

    def ready(self) -> None:
        from preau.bookmarks.selectors import panel_context
        from preau.portal.registry import Service, register

        # Audience code: bookmarks lead to online resources (the CDI's catalogue, Lumni,
        # Éduscol…), which is what they are counted with.
        register(
            Service(
                code="bookmarks",
                name=_("Signets"),
                description=_("Vos liens et ceux que l'établissement vous propose"),
                icon="link",
                url_name="bookmarks:index",
                namespace="bookmarks",
                national_code="Ressources_En_Ligne",
                position=40,
                panel_template="bookmarks/panel.html",
                panel_context=panel_context,
                panel_scope="bookmarks",
                settings_page=(_("Signets de l'établissement"), "bookmarks:manage"),
            )
        )
