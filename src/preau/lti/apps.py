from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "preau.lti"
    verbose_name = _("Outils LTI")

    def ready(self) -> None:
        from preau.portal.registry import Service, register

        # The tools of one's classes, for teachers and students. Turning the service off in an
        # establishment hides these pages there; the protocol endpoints called by tools have no
        # signed-in person and are answered by the tool's own registration (is_active).
        register(
            Service(
                code="lti",
                name=_("Outils pédagogiques"),
                description=_("Les outils et ressources en ligne ajoutés aux classes"),
                icon="link",
                url_name="lti:home",
                namespace="lti",
                national_code="Ressources_En_Ligne",
                position=80,
                audience=frozenset({"teacher", "student"}),
            )
        )
