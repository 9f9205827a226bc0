from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillsConfig(AppConfig):
    name = "preau.skills"
    verbose_name = _("Compétences")

    def ready(self) -> None:
        from preau.portal.registry import Service, register

        register(
            Service(
                code="skills",
                name=_("Compétences"),
                description=_("Les compétences du socle commun et leur niveau de maîtrise"),
                icon="chart",
                url_name="skills:index",
                namespace="skills",
                national_code="Competences",
                position=18,
            )
        )
