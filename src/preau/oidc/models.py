"""The OpenID Connect clients registered by administrators.

The protocol's own rows (applications, grants, tokens) are django-oauth-toolkit's. An
``OidcClient`` adds what Préau needs around an application: the establishment or academy it is
registered for. Only members of that establishment (or of one of the academy's establishments)
are let through to the client, as for a CAS service.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from preau.core.registrations import one_owner
from preau.directory.models import Academy, Establishment, PublicIdModel


class OidcClient(PublicIdModel):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="preau_client"
    )
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="oidc_clients",
        verbose_name=_("établissement"),
    )
    academy = models.ForeignKey(
        Academy,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="oidc_clients",
        verbose_name=_("académie"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client OpenID Connect")
        verbose_name_plural = _("clients OpenID Connect")
        constraints = [one_owner("oidc_client")]

    def __str__(self) -> str:
        return self.application.name

    @property
    def is_public(self) -> bool:
        return self.application.client_type == Application.CLIENT_PUBLIC
