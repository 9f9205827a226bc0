from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "preau.directory"
    verbose_name = _("Annuaire")

    def ready(self) -> None:
        from preau.directory import versions
        from preau.directory.panels import panel_context
        from preau.portal.registry import Service, register

        versions.connect_signals()
        register(
            Service(
                code="directory",
                name=_("Classes"),
                description=_("Classes, élèves et équipes pédagogiques"),
                icon="people",
                url_name="directory:classes",
                namespace="directory",
                national_code="Annuaire",
                position=10,
                panel_template="directory/panel.html",
                panel_context=panel_context,
            )
        )
