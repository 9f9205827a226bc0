from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "preau.resources"
    verbose_name = _("Médiacentre")

    def ready(self) -> None:
        from preau.portal.registry import Service, register
        from preau.resources.selectors import panel_context

        register(
            Service(
                code="resources",
                name=_("Médiacentre"),
                description=_("Manuels numériques, ressources des éditeurs et de vos professeurs"),
                icon="book",
                url_name="resources:index",
                namespace="resources",
                national_code="Ressources_En_Ligne",
                position=45,
                audience=frozenset({"student", "teacher", "staff"}),
                panel_template="resources/panel.html",
                panel_context=panel_context,
                # Licences and teachers' resources change what the establishment's members may
                # open (selectors.forget_catalogue).
                panel_scope="resources",
                settings_page=(_("Ressources des éditeurs et licences"), "resources:manage"),
            )
        )
