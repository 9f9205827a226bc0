"""Who may use and who may register CAS services.

A person reaches a service through an establishment they belong to this school year: the
service's own establishment, or one of the establishments of the service's academy. A service
is registered by the establishment's administrators (head, deputy, delegated administrator) or,
for an academy-wide service, by the academy's administrators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet, Value

from preau.cas.models import CasService, MatchKind
from preau.core import registrations
from preau.directory.policies import can_manage_academy, get_or_404

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Academy, Establishment


def service_for_url(url: str) -> CasService | None:
    """The registered service that ``url`` belongs to, or None (one query).

    Prefix services are filtered in the database; regular expressions are tried here. The
    longest matching prefix wins, then the first regex service registered: a narrower
    registration (one application of a vendor) overrides a wider one.
    """
    if not url:
        return None
    candidates = (
        CasService.objects.alias(address=Value(url))
        .filter(
            Q(match_kind=MatchKind.REGEX)
            | Q(match_kind=MatchKind.PREFIX, address__startswith=F("pattern"))
        )
        .select_related("establishment", "academy")
        .order_by("pk")
    )
    matching = [service for service in candidates if service.matches(url)]
    if not matching:
        return None
    prefixes = [s for s in matching if s.match_kind == MatchKind.PREFIX]
    if prefixes:
        return max(prefixes, key=lambda s: len(s.pattern))
    return matching[0]


def establishment_for(actor: Actor, service: CasService) -> Establishment | None:
    """The establishment through which ``actor`` may use ``service``, or None if refused.

    The establishment the person is working in now is preferred, so that a teacher in two
    schools sends the UAI of the one they chose.
    """
    eligible = registrations.reachable_establishments(actor, service)
    if not eligible:
        return None
    current = actor.establishment
    if current is not None and any(e.pk == current.pk for e in eligible):
        return current
    return eligible[0]


# -- registration in the administration console ------------------------------------------------


def establishment_services(establishment: Establishment) -> QuerySet[CasService]:
    """The services registered for ``establishment`` itself (the console already checked it)."""
    return CasService.objects.filter(establishment=establishment).order_by("name", "pk")


def academy_services_for(establishment: Establishment) -> QuerySet[CasService]:
    """Services of the establishment's academy: shown to its administrators, not editable."""
    return CasService.objects.filter(academy_id=establishment.academy_id).order_by("name", "pk")


def access_establishment_service(establishment: Establishment, public_id: Any) -> CasService:
    return get_or_404(establishment_services(establishment), public_id)


def managed_academy_services(actor: Actor) -> QuerySet[CasService]:
    """Academy-wide services the actor may change (academy administrators, superusers)."""
    return registrations.managed_by_academy_administrator(CasService.objects.all(), actor)


def access_academy_service(actor: Actor, public_id: Any) -> CasService:
    return get_or_404(managed_academy_services(actor), public_id)


def can_register_for_academy(actor: Actor, academy: Academy) -> bool:
    return can_manage_academy(actor, academy.pk)
