from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "preau.meetings"
    verbose_name = _("Rencontres parents-professeurs")

    def ready(self) -> None:
        from preau.meetings.panels import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="meetings",
                name=_("Rencontres parents-professeurs"),
                description=_("Réserver un rendez-vous avec les professeurs"),
                icon="calendar",
                url_name="meetings:index",
                namespace="meetings",
                national_code="RencontresParentsProfesseurs",
                position=62,
                audience=frozenset({"guardian", "teacher", "staff"}),
                panel_template="meetings/panel.html",
                panel_context=panel_context,
                panel_scope="meetings",
            )
        )
