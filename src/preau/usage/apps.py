from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    name = "preau.usage"
    label = "usage"
    verbose_name = _("Statistiques d'usage")

    def ready(self) -> None:
        import atexit

        from preau.usage import recorder

        # What a process counted since its last flush is written when it stops.
        atexit.register(recorder.flush_at_exit)
