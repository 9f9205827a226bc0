from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradesConfig(AppConfig):
    name = "preau.grades"
    verbose_name = _("Notes")

    def ready(self) -> None:
        from preau.grades.panels import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="grades",
                name=_("Notes"),
                description=_("Les devoirs, les notes et les moyennes"),
                icon="chart",
                url_name="grades:index",
                namespace="grades",
                national_code="Notes",
                position=17,
                panel_template="grades/panel.html",
                panel_context=panel_context,
                settings_page=(_("Publication des notes"), "grades:settings"),
            )
        )
