"""Changes made around the OpenID Connect provider: registering, changing and removing clients.

A client is a django-oauth-toolkit application (authorization code grant, id_tokens signed
with RS256) plus its registration in Préau (the establishment or academy it serves). A
confidential client's secret is shown once, when it is created: only its hash is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from preau.audit.actions import snapshot
from preau.core import registrations
from preau.oidc.models import OidcClient

if TYPE_CHECKING:
    from preau.directory.models import Academy, Establishment

AUDITED_FIELDS = ["name", "client_type", "redirect_uris", "post_logout_redirect_uris"]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Registration:
    client: OidcClient
    # The secret in clear, for a confidential client, at creation only.
    client_secret: str | None


def validate_redirect_uris(uris: list[str], *, field: str) -> None:
    """Each address is absolute, without fragment, and in HTTPS (plain HTTP only on the
    machine itself, for a client under development): a code or a logout must never travel
    in clear over the network."""
    for uri in uris:
        parts = urlsplit(uri)
        secure = parts.scheme == "https" or (
            parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        )
        if not parts.hostname or parts.fragment or not secure:
            raise ValidationError(
                {
                    field: _(
                        "Adresse de retour invalide : %(uri)s (adresse complète en https://, "
                        "sans #fragment)."
                    )
                    % {"uri": uri}
                }
            )


def _clean(uris: list[str] | str) -> list[str]:
    if isinstance(uris, str):
        uris = uris.split()
    return [uri.strip() for uri in uris if uri.strip()]


def do_register_client(
    *,
    actor: Any,
    name: str,
    public: bool,
    redirect_uris: list[str] | str,
    post_logout_redirect_uris: list[str] | str = (),
    establishment: Establishment | None = None,
    academy: Academy | None = None,
) -> Registration:
    """Register a client for an establishment or an academy; raises ValidationError on a bad
    address, writing nothing."""
    redirects, logouts = _clean(redirect_uris), _clean(post_logout_redirect_uris)
    if not name.strip():
        raise ValidationError({"name": _("Le nom est obligatoire.")})
    if not redirects:
        raise ValidationError({"redirect_uris": _("Au moins une adresse de retour est requise.")})
    if (establishment is None) == (academy is None):
        raise ValidationError(_("Un client appartient à un établissement ou à une académie."))
    validate_redirect_uris(redirects, field="redirect_uris")
    validate_redirect_uris(logouts, field="post_logout_redirect_uris")
    secret = None if public else generate_client_secret()
    application = Application(
        name=name.strip(),
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirects),
        post_logout_redirect_uris=" ".join(logouts),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
        client_secret=secret or "",
    )
    with transaction.atomic():
        application.save()
        client = OidcClient.objects.create(
            application=application, establishment=establishment, academy=academy
        )
        registrations.audit(
            actor=actor,
            registration=client,
            action="oidc.client_registered",
            after=snapshot(application, AUDITED_FIELDS),
        )
    return Registration(client, secret)


def do_update_client(
    *,
    actor: Any,
    client: OidcClient,
    name: str,
    redirect_uris: list[str] | str,
    post_logout_redirect_uris: list[str] | str,
) -> OidcClient:
    """Rename a client or change its addresses (its type and secret stay)."""
    redirects, logouts = _clean(redirect_uris), _clean(post_logout_redirect_uris)
    if not redirects:
        raise ValidationError({"redirect_uris": _("Au moins une adresse de retour est requise.")})
    validate_redirect_uris(redirects, field="redirect_uris")
    validate_redirect_uris(logouts, field="post_logout_redirect_uris")
    application = client.application
    before = snapshot(application, AUDITED_FIELDS)
    application.name = name.strip()
    application.redirect_uris = " ".join(redirects)
    application.post_logout_redirect_uris = " ".join(logouts)
    with transaction.atomic():
        application.save(update_fields=["name", "redirect_uris", "post_logout_redirect_uris"])
        registrations.audit(
            actor=actor,
            registration=client,
            action="oidc.client_changed",
            before=before,
            after=snapshot(application, AUDITED_FIELDS),
        )
    return client


def do_remove_client(*, actor: Any, client: OidcClient) -> None:
    """Remove a client with its tokens: the application's sessions end at once."""
    application = client.application
    with transaction.atomic():
        registrations.audit(
            actor=actor,
            registration=client,
            action="oidc.client_removed",
            before=snapshot(application, AUDITED_FIELDS),
        )
        # Deleting the application deletes its grants, tokens and the registration (cascade).
        application.delete()
