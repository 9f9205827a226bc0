from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisciplineConfig(AppConfig):
    name = "preau.discipline"
    verbose_name = _("Punitions et sanctions")

    def ready(self) -> None:
        from preau.discipline.selectors import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="discipline",
                name=_("Punitions et sanctions"),
                description=_("Incidents, punitions et sanctions"),
                icon="people",
                url_name="discipline:index",
                namespace="discipline",
                national_code="Vie_Scolaire",
                position=35,
                panel_template="discipline/panel.html",
                panel_context=panel_context,
                panel_scope="discipline",
            )
        )
