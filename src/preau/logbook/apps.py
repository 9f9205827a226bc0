from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogbookConfig(AppConfig):
    name = "preau.logbook"
    verbose_name = _("Cahier de textes")

    def ready(self) -> None:
        from preau.calendar.layers import Layer, register_layer
        from preau.logbook.feeds import homework_contributor
        from preau.logbook.layers import homework_layer
        from preau.logbook.panels import panel_context
        from preau.portal.registry import Service, register
        from preau.timetable.feeds import register_contributor

        register_contributor("homework", homework_contributor, position=20)

        register_layer(
            Layer(
                code="homework",
                name=_("Travail à faire"),
                provide=homework_layer,
                position=20,
                # Its own home panel lists homework: the agenda's panel keeps to events.
                in_panel=False,
            )
        )
        register(
            Service(
                code="logbook",
                name=_("Cahier de textes"),
                description=_("Le contenu des séances et le travail à faire"),
                icon="book",
                url_name="logbook:index",
                namespace="logbook",
                national_code="Cahier_Textes",
                position=15,
                panel_template="logbook/panel.html",
                panel_context=panel_context,
                panel_scope="logbook",
                settings_page=(_("Cahier de textes : charge de travail"), "logbook:settings"),
            )
        )
