from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "preau.attendance"
    verbose_name = _("Absences et retards")

    def ready(self) -> None:
        from preau.attendance.panels import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="attendance",
                name=_("Absences et retards"),
                description=_("L'appel, les absences à justifier et leur suivi"),
                icon="people",
                url_name="attendance:index",
                namespace="attendance",
                national_code="Absences",
                position=16,
                panel_template="attendance/panel.html",
                panel_context=panel_context,
                panel_scope="attendance",
                settings_page=(_("Motifs d'absence"), "attendance:reasons"),
            )
        )
