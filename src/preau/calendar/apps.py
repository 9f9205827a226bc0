from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "preau.calendar"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from preau.calendar.layers import Layer, register_layer
        from preau.calendar.panels import panel_context
        from preau.calendar.selectors import calendar_layer, workspace_section
        from preau.groups.sections import Section
        from preau.groups.sections import register as register_section
        from preau.portal.registry import Service, register

        # A workspace's next events, on its page (the agenda attaches to the workspaces).
        register_section(
            Section("calendar", "calendar/workspace_section.html", workspace_section, position=20)
        )

        register_layer(
            Layer(code="calendar", name=_("Agendas"), provide=calendar_layer, position=0)
        )
        register(
            Service(
                code="calendar",
                name=_("Agenda"),
                description=_("Les agendas personnels, de la classe et de l'établissement"),
                icon="calendar",
                url_name="calendar:agenda",
                namespace="calendar",
                national_code="Gestion_Temps",
                position=30,
                panel_template="calendar/panel.html",
                panel_context=panel_context,
                panel_scope="calendar",
            )
        )
