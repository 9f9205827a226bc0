"""LTI 1.3: Préau as the platform, the tools registered by administrators and placed by teachers.

- ``LtiTool``: a tool registered for one establishment or one academy (as a CAS service or an
  OpenID Connect client), with the client id and deployment id Préau gives it, its addresses,
  its public key (PEM) or key set address, what it may learn about people and which services
  (roster, grades) it may call.
- ``LtiPlacement``: a tool, or a content item picked in it (deep linking), added by a teacher to
  a class or group they teach (one of their teaching assignments). With grades, it carries one
  line item, which is a ``grades`` assessment of that class and subject.
- ``PlatformKey``: Préau's RSA keys signing the id_tokens, published at /lti/jwks.json. The
  newest active key signs; older ones stay published until removed, so that a rotation does not
  break launches in flight. Keys are made in the database, never shipped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.registrations import one_owner
from preau.directory.models import Academy, Establishment, PublicIdModel, TeachingAssignment


class LtiTool(PublicIdModel):
    name = models.CharField(_("nom"), max_length=120)
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lti_tools",
        verbose_name=_("établissement"),
    )
    academy = models.ForeignKey(
        Academy,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lti_tools",
        verbose_name=_("académie"),
    )
    client_id = models.CharField(_("identifiant client"), max_length=64, unique=True)
    deployment_id = models.CharField(_("identifiant de déploiement"), max_length=64)
    login_url = models.URLField(_("adresse d'initiation de connexion"), max_length=500)
    launch_url = models.URLField(_("adresse de lancement"), max_length=500)
    redirect_uris = models.JSONField(_("adresses de retour"), default=list)
    deep_linking_url = models.URLField(
        _("adresse de sélection de contenu"), max_length=500, blank=True
    )
    public_key = models.TextField(_("clé publique (PEM)"), blank=True)
    jwks_url = models.URLField(_("adresse du jeu de clés (JWKS)"), max_length=500, blank=True)
    share_name = models.BooleanField(_("transmet les noms"), default=True)
    share_email = models.BooleanField(_("transmet l'adresse e-mail"), default=False)
    nrps_enabled = models.BooleanField(_("liste des membres (NRPS)"), default=False)
    ags_enabled = models.BooleanField(_("notes (AGS)"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outil LTI")
        verbose_name_plural = _("outils LTI")
        constraints = [one_owner("lti_tool")]

    def __str__(self) -> str:
        return self.name


class LtiPlacement(PublicIdModel):
    tool = models.ForeignKey(LtiTool, on_delete=models.CASCADE, related_name="placements")
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    # The teacher, subject and class or group: the LTI context is the class or group.
    assignment = models.ForeignKey(
        TeachingAssignment, on_delete=models.CASCADE, related_name="lti_placements"
    )
    title = models.CharField(_("titre"), max_length=200)
    # The content item's own address (deep linking); empty: the tool's launch address.
    url = models.URLField(_("adresse"), max_length=500, blank=True)
    custom = models.JSONField(_("paramètres personnalisés"), default=dict, blank=True)
    assessment = models.ForeignKey(
        "grades.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lti_placements",
    )
    line_item_tag = models.CharField(max_length=120, blank=True)
    line_item_resource_id = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outil LTI d'une classe")
        verbose_name_plural = _("outils LTI des classes")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def target_link_uri(self) -> str:
        return self.url or self.tool.launch_url


class PlatformKey(models.Model):
    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # A retired key no longer signs but stays published until it is removed.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid
