from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DropboxConfig(AppConfig):
    name = "preau.dropbox"
    verbose_name = _("Casier")

    def ready(self) -> None:
        from preau.dropbox.panels import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="dropbox",
                name=_("Casier"),
                description=_("Rendre un devoir, recevoir la correction"),
                icon="folder",
                url_name="dropbox:index",
                namespace="dropbox",
                national_code="Casier",
                position=35,
                panel_template="dropbox/panel.html",
                panel_context=panel_context,
                panel_scope="dropbox",
            )
        )
