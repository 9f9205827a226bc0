from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "preau.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from preau.notifications.panels import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="notifications",
                name=_("Notifications"),
                description=_("Ce que les services ont à vous dire, au bon moment"),
                icon="mail",
                url_name="notifications:index",
                namespace="notifications",
                national_code="Page_ENT",
                position=5,
                can_be_disabled=False,
                panel_template="notifications/panel.html",
                panel_context=panel_context,
                settings_page=(_("Heures calmes"), "notifications:quiet_hours"),
            )
        )
