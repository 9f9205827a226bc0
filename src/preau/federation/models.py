"""External identity providers through which people of an academy log in to Préau.

A provider is SAML 2 (in the manner of ÉduConnect) or OpenID Connect. Its asserted join
identifier (an attribute or a claim) designates the account whose ``directory_id`` it is:
no account is ever created from a federated login.

For SAML, Préau is the service provider: the key and certificate it signs requests with and
decrypts assertions with are generated at registration and kept on the row (one pair per
provider, so that one can be replaced without touching the others); the provider's metadata is
kept as registered. For OpenID Connect, the client secret is kept on the row and never shown
again nor logged.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Academy, PublicIdModel

# ÉduConnect (pupils and guardians) asserts the AAF join identifier in FrEduCtId; an agents'
# portal usually asserts its own (docs/federation.md). Administrators may set any name.
DEFAULT_SAML_JOIN_ATTRIBUTE = "FrEduCtId"
DEFAULT_OIDC_JOIN_CLAIM = "sub"
DEFAULT_OIDC_SCOPES = "openid"


class IdentityProvider(PublicIdModel):
    class Kind(models.TextChoices):
        SAML = "saml", "SAML 2"
        OIDC = "oidc", "OpenID Connect"

    academy = models.ForeignKey(
        Academy,
        on_delete=models.CASCADE,
        related_name="identity_providers",
        verbose_name=_("académie"),
    )
    kind = models.CharField(_("protocole"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("nom affiché"), max_length=80)
    enabled = models.BooleanField(_("activé"), default=True)
    join_attribute = models.CharField(
        _("attribut d'identifiant de jointure"),
        max_length=200,
        help_text=_(
            "Attribut SAML ou revendication OpenID Connect portant l'identifiant annuaire."
        ),
    )
    # SAML 2: the provider's metadata as registered, its entity id read from it, our key pair.
    saml_metadata = models.TextField(_("métadonnées du fournisseur"), blank=True)
    saml_metadata_url = models.URLField(_("adresse des métadonnées"), blank=True, max_length=500)
    saml_entity_id = models.CharField(_("entityID du fournisseur"), max_length=500, blank=True)
    sp_private_key = models.TextField(blank=True, editable=False)
    sp_certificate = models.TextField(blank=True, editable=False)
    # OpenID Connect.
    oidc_issuer = models.URLField(_("émetteur (issuer)"), blank=True, max_length=500)
    oidc_client_id = models.CharField(_("identifiant client"), max_length=255, blank=True)
    oidc_client_secret = models.CharField(max_length=500, blank=True, editable=False)
    oidc_scopes = models.CharField(
        _("portées (scopes)"), max_length=255, blank=True, default=DEFAULT_OIDC_SCOPES
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fournisseur d'identité")
        verbose_name_plural = _("fournisseurs d'identité")
        ordering = ["academy__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_saml(self) -> bool:
        return self.kind == self.Kind.SAML
