from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "preau.news"
    verbose_name = _("Actualités")

    def ready(self) -> None:
        from preau.news.panels import panel_context
        from preau.portal.registry import Service, register

        register(
            Service(
                code="news",
                name=_("Actualités"),
                description=_("Les informations de l'établissement, des classes et des groupes"),
                icon="book",
                url_name="news:index",
                namespace="news",
                national_code="Actualites",
                position=20,
                panel_template="news/panel.html",
                panel_context=panel_context,
                panel_scope="news",
            )
        )
