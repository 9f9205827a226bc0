"""Who may use and who may register OpenID Connect clients.

A person is let through to a client through an establishment they belong to this school year:
the client's own establishment, or one of the establishments of the client's academy. A client
is registered by the establishment's administrators (head, deputy, delegated administrator)
or, for an academy-wide client, by the academy's administrators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from preau.core import registrations
from preau.directory.policies import get_or_404
from preau.oidc.models import OidcClient

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Establishment


def client_for(client_id: str) -> OidcClient | None:
    """The registration of the application ``client_id`` (one query), or None."""
    if not client_id:
        return None
    return (
        OidcClient.objects.select_related("application", "establishment", "academy")
        .filter(application__client_id=client_id)
        .first()
    )


def establishments_for(actor: Actor, client: OidcClient) -> list[Establishment]:
    """The establishments through which ``actor`` may use ``client``; empty if refused."""
    return registrations.reachable_establishments(actor, client)


def may_use(actor: Actor, client: OidcClient | None) -> bool:
    return client is not None and actor.is_authenticated and bool(establishments_for(actor, client))


# -- registration in the administration console ------------------------------------------------


def establishment_clients(establishment: Establishment) -> QuerySet[OidcClient]:
    """The clients registered for ``establishment`` itself (the console already checked it)."""
    return (
        OidcClient.objects.filter(establishment=establishment)
        .select_related("application")
        .order_by("application__name", "pk")
    )


def academy_clients_for(establishment: Establishment) -> QuerySet[OidcClient]:
    """Clients of the establishment's academy: shown to its administrators, not editable."""
    return (
        OidcClient.objects.filter(academy_id=establishment.academy_id)
        .select_related("application")
        .order_by("application__name", "pk")
    )


def access_establishment_client(establishment: Establishment, public_id: Any) -> OidcClient:
    return get_or_404(establishment_clients(establishment), public_id)


def managed_academy_clients(actor: Actor) -> QuerySet[OidcClient]:
    """Academy-wide clients the actor may change (academy administrators, superusers)."""
    return registrations.managed_by_academy_administrator(
        OidcClient.objects.select_related("application"), actor
    )


def access_academy_client(actor: Actor, public_id: Any) -> OidcClient:
    return get_or_404(managed_academy_clients(actor), public_id)
