from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "preau.messaging"
    verbose_name = _("Messagerie")

    def ready(self) -> None:
        from preau.messaging.panels import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="messaging",
                name=_("Messagerie"),
                description=_("Messages avec les professeurs, la vie scolaire et les familles"),
                icon="mail",
                url_name="messaging:inbox",
                namespace="messaging",
                national_code="Courrier_Electronique",
                position=15,
                panel_template="messaging/panel.html",
                panel_context=panel_context,
                settings_page=(_("Règles de la messagerie"), "messaging:rules"),
            )
        )
