from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "preau.groups"
    verbose_name = _("Espaces de groupe")

    def ready(self) -> None:
        from preau.groups.panels import panel_context
        from preau.portal.registry import Service, register

        # Guardians are not members of workspaces (groups/policies.py): no tile for them.
        register(
            Service(
                code="groups",
                name=_("Espaces de groupe"),
                description=_("Clubs, projets et équipes : membres, forum et actualités"),
                icon="people",
                url_name="groups:index",
                namespace="groups",
                national_code="Travail_Collaboratif",
                position=45,
                audience=frozenset({"student", "teacher", "staff"}),
                panel_template="groups/panel.html",
                panel_context=panel_context,
            )
        )
