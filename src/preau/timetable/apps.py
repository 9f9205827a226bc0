from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "preau.timetable"
    verbose_name = _("Emploi du temps")

    def ready(self) -> None:
        from preau.calendar.layers import Layer, register_layer
        from preau.portal.registry import Service, register
        from preau.timetable.feeds import lessons_contributor, register_contributor
        from preau.timetable.panels import lesson_layer, panel_context

        register_layer(
            Layer(
                code="timetable",
                name=_("Emploi du temps"),
                provide=lesson_layer,
                position=10,
                in_panel=False,
            )
        )
        register_contributor("lessons", lessons_contributor, position=0)
        register(
            Service(
                code="timetable",
                name=_("Emploi du temps"),
                description=_(
                    "Les cours de la semaine, les changements et les absences de professeurs"
                ),
                icon="calendar",
                url_name="timetable:index",
                namespace="timetable",
                national_code="Gestion_Temps",
                position=15,
                panel_template="timetable/panel.html",
                panel_context=panel_context,
                panel_scope="timetable",
                settings_page=(_("Emploi du temps"), "timetable:manage"),
            )
        )
