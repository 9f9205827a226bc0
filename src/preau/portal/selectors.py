"""Which services an establishment has on, in which order (cached per establishment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache

from preau.portal.models import EstablishmentService
from preau.portal.registry import Service, all_services

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Establishment


@dataclass(frozen=True)
class ServiceChoice:
    service: Service
    enabled: bool
    position: int


def _cache_key(establishment_id: int) -> str:
    return f"portal:services:{establishment_id}"


def service_choices(establishment: Establishment) -> list[ServiceChoice]:
    """Every registered service with the establishment's choice, in the establishment's order."""
    stored = cache.get(_cache_key(establishment.pk))
    if stored is None:
        stored = {
            row.service_code: (row.enabled, row.position)
            for row in EstablishmentService.objects.filter(establishment=establishment)
        }
        cache.set(_cache_key(establishment.pk), stored, 3600)
    choices = []
    for service in all_services():
        enabled, position = stored.get(service.code, (True, service.position))
        if not service.can_be_disabled:
            enabled = True
        choices.append(ServiceChoice(service, enabled, position))
    return sorted(choices, key=lambda c: (c.position, c.service.code))


def forget_service_choices(establishment: Establishment) -> None:
    cache.delete(_cache_key(establishment.pk))


def is_service_enabled(establishment: Establishment, code: str) -> bool:
    return any(c.enabled for c in service_choices(establishment) if c.service.code == code)


def services_for(actor: Actor) -> list[Service]:
    """The services shown to this person in their current establishment (once per request:
    the page and its navigation both ask)."""
    services = actor.memo.get("services")
    if services is None:
        if actor.establishment is None:
            services = [s for s in all_services() if not s.can_be_disabled and s.is_for(actor)]
        else:
            services = [
                c.service
                for c in service_choices(actor.establishment)
                if c.enabled and c.service.is_for(actor)
            ]
        actor.memo["services"] = services
    return services
