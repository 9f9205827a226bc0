from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportCardsConfig(AppConfig):
    name = "preau.reportcards"
    label = "reportcards"
    verbose_name = _("Bulletins")

    def ready(self) -> None:
        from preau.portal.registry import Service, register

        register(
            Service(
                code="reportcards",
                name=_("Bulletins"),
                description=_(
                    "Les bulletins de chaque période, leurs appréciations et le conseil de classe"
                ),
                icon="chart",
                url_name="reportcards:index",
                namespace="reportcards",
                national_code="Notes",
                position=18,
            )
        )
