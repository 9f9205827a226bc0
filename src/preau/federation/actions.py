"""Registering, changing and disabling identity providers (console and ``preau
identity_provider``). Each checks everything before writing, and writes in one transaction.

A SAML provider's metadata is fetched once, at registration, when an address is given, and
stored: logins never depend on reaching it. The service provider's key pair is made then too.
Secrets (client secret, private key) are neither logged nor shown again.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.directory.models import Academy
from preau.federation import keys
from preau.federation.models import (
    DEFAULT_OIDC_JOIN_CLAIM,
    DEFAULT_OIDC_SCOPES,
    DEFAULT_SAML_JOIN_ATTRIBUTE,
    IdentityProvider,
)

logger = logging.getLogger(__name__)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
METADATA_TIMEOUT = 15
METADATA_MAX_BYTES = 5 * 1024 * 1024
# What the audit trail keeps of a provider: never its secrets nor its keys.
AUDITED_FIELDS = [
    "name",
    "kind",
    "enabled",
    "join_attribute",
    "saml_entity_id",
    "saml_metadata_url",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_scopes",
]


def _is_secure_url(url: str) -> bool:
    """HTTPS, or plain HTTP on the machine itself (a provider under test)."""
    parts = urlsplit(url)
    return bool(parts.hostname) and (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
    )


def fetch_metadata(url: str) -> str:
    if not _is_secure_url(url):
        raise ValidationError(
            {"saml_metadata_url": _("L'adresse des métadonnées doit commencer par https://.")}
        )
    try:
        response = requests.get(url, timeout=METADATA_TIMEOUT)
        response.raise_for_status()
    except requests.RequestException as error:
        logger.info("SAML metadata not fetched from %s: %s", url, error)
        raise ValidationError(
            {"saml_metadata_url": _("Les métadonnées n'ont pas pu être téléchargées.")}
        ) from error
    if len(response.content) > METADATA_MAX_BYTES:
        raise ValidationError({"saml_metadata_url": _("Les métadonnées sont trop volumineuses.")})
    return response.content.decode("utf-8", errors="replace")


def _entity_id(metadata: str) -> str:
    from preau.federation.saml import provider_entity_id

    try:
        return provider_entity_id(metadata)
    except ValueError as error:
        raise ValidationError(
            {
                "saml_metadata": _(
                    "Ces métadonnées ne décrivent pas un fournisseur d'identité SAML 2."
                )
            }
        ) from error


def _check_oidc(issuer: str, client_id: str) -> None:
    if not issuer or not _is_secure_url(issuer):
        raise ValidationError(
            {"oidc_issuer": _("L'émetteur est une adresse complète en https://.")}
        )
    if not client_id.strip():
        raise ValidationError({"oidc_client_id": _("L'identifiant client est obligatoire.")})


def _saml_metadata(metadata: str, url: str) -> tuple[str, str]:
    """(metadata, entity id) from the text given, or fetched from the address."""
    metadata = metadata.strip()
    if not metadata and url:
        metadata = fetch_metadata(url)
    if not metadata:
        raise ValidationError(
            {"saml_metadata": _("Donnez les métadonnées du fournisseur ou leur adresse.")}
        )
    return metadata, _entity_id(metadata)


def do_register_provider(
    *,
    actor: Any,
    academy: Academy,
    kind: str,
    name: str,
    join_attribute: str = "",
    saml_metadata: str = "",
    saml_metadata_url: str = "",
    oidc_issuer: str = "",
    oidc_client_id: str = "",
    oidc_client_secret: str = "",
    oidc_scopes: str = "",
    enabled: bool = True,
) -> IdentityProvider:
    """Register a provider for ``academy``; ValidationError (nothing written) on bad input."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Le nom affiché est obligatoire.")})
    provider = IdentityProvider(
        academy=academy, kind=kind, name=name, enabled=enabled, saml_metadata_url=saml_metadata_url
    )
    if kind == IdentityProvider.Kind.SAML:
        provider.join_attribute = join_attribute.strip() or DEFAULT_SAML_JOIN_ATTRIBUTE
        provider.saml_metadata, provider.saml_entity_id = _saml_metadata(
            saml_metadata, saml_metadata_url
        )
        provider.sp_private_key, provider.sp_certificate = keys.new_key_pair(f"Préau {name}")
    elif kind == IdentityProvider.Kind.OIDC:
        _check_oidc(oidc_issuer.strip(), oidc_client_id)
        provider.join_attribute = join_attribute.strip() or DEFAULT_OIDC_JOIN_CLAIM
        provider.oidc_issuer = oidc_issuer.strip()
        provider.oidc_client_id = oidc_client_id.strip()
        provider.oidc_client_secret = oidc_client_secret.strip()
        provider.oidc_scopes = _scopes(oidc_scopes)
    else:
        raise ValidationError({"kind": _("Protocole inconnu.")})
    with transaction.atomic():
        provider.save()
        record(
            actor=actor,
            establishment=None,
            academy=academy,
            action="federation.provider_registered",
            target=provider,
            after=snapshot(provider, AUDITED_FIELDS),
        )
    return provider


def _scopes(scopes: str) -> str:
    """« openid » first (an OpenID Connect login needs it), each scope once."""
    words = [word for word in scopes.split() if word != "openid"]
    return " ".join(["openid", *dict.fromkeys(words)]) if words else DEFAULT_OIDC_SCOPES


def do_update_provider(
    *,
    actor: Any,
    provider: IdentityProvider,
    name: str,
    join_attribute: str,
    enabled: bool,
    saml_metadata: str = "",
    saml_metadata_url: str = "",
    oidc_issuer: str = "",
    oidc_client_id: str = "",
    oidc_client_secret: str = "",
    oidc_scopes: str = "",
) -> IdentityProvider:
    """Change a provider. Empty metadata keeps the stored one (unless a new address is given,
    which is fetched); an empty client secret keeps the stored one. The key pair stays."""
    name, join_attribute = name.strip(), join_attribute.strip()
    before = snapshot(provider, AUDITED_FIELDS)
    if not name:
        raise ValidationError({"name": _("Le nom affiché est obligatoire.")})
    if not join_attribute:
        raise ValidationError(
            {"join_attribute": _("L'attribut d'identifiant de jointure est obligatoire.")}
        )
    provider.name, provider.join_attribute, provider.enabled = name, join_attribute, enabled
    if provider.is_saml:
        url = saml_metadata_url.strip()
        if saml_metadata.strip() or (url and url != provider.saml_metadata_url):
            provider.saml_metadata, provider.saml_entity_id = _saml_metadata(saml_metadata, url)
        provider.saml_metadata_url = url
    else:
        _check_oidc(oidc_issuer.strip(), oidc_client_id)
        provider.oidc_issuer = oidc_issuer.strip()
        provider.oidc_client_id = oidc_client_id.strip()
        if oidc_client_secret.strip():
            provider.oidc_client_secret = oidc_client_secret.strip()
        provider.oidc_scopes = _scopes(oidc_scopes)
    with transaction.atomic():
        provider.save()
        record(
            actor=actor,
            establishment=None,
            academy=provider.academy,
            action="federation.provider_changed",
            target=provider,
            before=before,
            after=snapshot(provider, AUDITED_FIELDS),
        )
    return provider


@transaction.atomic
def do_set_enabled(*, actor: Any, provider: IdentityProvider, enabled: bool) -> IdentityProvider:
    before = snapshot(provider, AUDITED_FIELDS)
    provider.enabled = enabled
    provider.save(update_fields=["enabled"])
    record(
        actor=actor,
        establishment=None,
        academy=provider.academy,
        action="federation.provider_enabled" if enabled else "federation.provider_disabled",
        target=provider,
        before=before,
        after=snapshot(provider, AUDITED_FIELDS),
    )
    return provider
