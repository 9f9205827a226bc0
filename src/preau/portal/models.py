from django.db import models
from django.utils.translation import gettext_lazy as _


class EstablishmentService(models.Model):
    """An establishment's choice for one service: on or off, and its place on the portal.

    A service with no row is on, at its default position.
    """

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="service_settings"
    )
    service_code = models.CharField(_("service"), max_length=40)
    enabled = models.BooleanField(_("activé"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=100)

    class Meta:
        verbose_name = _("service de l'établissement")
        verbose_name_plural = _("services de l'établissement")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "service_code"], name="establishment_service_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.establishment} · {self.service_code}"
