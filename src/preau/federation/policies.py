"""Who sees and who registers identity providers, and which account a join identifier designates.

The login page offers every enabled provider (each labelled with its academy): the portal
serves its academies' people, and the provider decides who it knows. Providers are registered
by the academy's administrators (and superusers); another academy's provider is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404

from preau.directory.policies import get_or_404
from preau.federation.models import IdentityProvider

if TYPE_CHECKING:
    from preau.core.actor import Actor


def login_providers() -> QuerySet[IdentityProvider]:
    """The buttons of the login page (one query)."""
    return (
        IdentityProvider.objects.filter(enabled=True)
        .select_related("academy")
        .only("public_id", "name", "kind", "academy__name")
        .order_by("academy__name", "name")
    )


def enabled_provider(public_id: Any, kind: str | None = None) -> IdentityProvider:
    """An enabled provider by its public id (of that kind), else 404."""
    providers = IdentityProvider.objects.filter(enabled=True).select_related("academy")
    if kind is not None:
        providers = providers.filter(kind=kind)
    return get_or_404(providers, public_id)


def account_for(join_id: str) -> Any | None:
    """The account whose directory id is ``join_id`` (active or not: the caller refuses an
    inactive one), or None. The identifier is matched exactly, as the directory stores it."""
    if not join_id:
        return None
    return get_user_model().objects.filter(directory_id=join_id).first()


# -- the academy's console ------------------------------------------------------------------------


def managed_providers(actor: Actor) -> QuerySet[IdentityProvider]:
    if not actor.is_authenticated:
        return IdentityProvider.objects.none()
    providers = IdentityProvider.objects.select_related("academy")
    if actor.is_superuser:
        return providers
    return providers.filter(academy_id__in=actor.administered_academy_ids)


def access_managed_provider(actor: Actor, public_id: Any) -> IdentityProvider:
    return get_or_404(managed_providers(actor), public_id)


def require_console(actor: Actor) -> None:
    """The console is for academy administrators and superusers; others get a 404."""
    if not (actor.is_authenticated and (actor.is_superuser or actor.administered_academy_ids)):
        raise Http404
