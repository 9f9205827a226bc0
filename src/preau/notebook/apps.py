from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotebookConfig(AppConfig):
    name = "preau.notebook"
    verbose_name = _("Carnet de correspondance")

    def ready(self) -> None:
        from preau.notebook.selectors import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="notebook",
                name=_("Carnet de correspondance"),
                description=_("Mots aux familles, signatures, autorisations et demandes"),
                icon="book",
                url_name="notebook:index",
                namespace="notebook",
                national_code="Vie_Scolaire",
                position=33,
                panel_template="notebook/panel.html",
                panel_context=panel_context,
                settings_page=(_("Carnet de correspondance"), "notebook:settings"),
            )
        )
