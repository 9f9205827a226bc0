"""Registrations of outside applications (CAS services, OpenID Connect clients, LTI tools):
each belongs to one establishment or to one academy, and reaches the members of that
establishment or of the academy's establishments. The rules every registry shares live here
so that they cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Establishment


def one_owner(prefix: str) -> Any:
    """The check constraint of a registration: an establishment or an academy, not both."""
    from django.db import models

    return models.CheckConstraint(
        condition=(Q(establishment__isnull=False) & Q(academy__isnull=True))
        | (Q(establishment__isnull=True) & Q(academy__isnull=False)),
        name=f"{prefix}_one_owner",
    )


def serves(registration: Any, establishment: Establishment) -> bool:
    """Whether ``registration`` is registered for ``establishment`` or for its academy."""
    return establishment.pk == registration.establishment_id or (
        registration.academy_id is not None and establishment.academy_id == registration.academy_id
    )


def reachable_establishments(actor: Actor, registration: Any) -> list[Establishment]:
    """The establishments through which ``actor`` reaches ``registration``; empty if refused."""
    return [e for e in actor.establishments if serves(registration, e)]


def serving(queryset: QuerySet, establishment: Establishment) -> QuerySet:
    """The registrations of ``queryset`` usable in ``establishment`` (its own and its academy's)."""
    return queryset.filter(Q(establishment=establishment) | Q(academy_id=establishment.academy_id))


def managed_by_academy_administrator(queryset: QuerySet, actor: Actor) -> QuerySet:
    """Academy-wide registrations the actor may change (academy administrators, superusers)."""
    if not actor.is_authenticated:
        return queryset.none()
    academy_wide = queryset.filter(academy__isnull=False).select_related("academy")
    if actor.is_superuser:
        return academy_wide
    return academy_wide.filter(academy_id__in=actor.administered_academy_ids)


def owner_from_options(options: dict[str, Any]) -> dict[str, Any]:
    """``{"establishment": …}`` or ``{"academy": …}`` from a command's --establishment UAI or
    --academy CODE option; CommandError if it names nothing."""
    from django.core.management.base import CommandError

    from preau.directory.models import Academy, Establishment

    if options.get("establishment"):
        found = Establishment.objects.filter(uai=options["establishment"].upper()).first()
        if found is None:
            raise CommandError(f"No establishment with UAI {options['establishment']}.")
        return {"establishment": found}
    if options.get("academy"):
        found = Academy.objects.filter(code=options["academy"]).first()
        if found is None:
            raise CommandError(f"No academy with code {options['academy']}.")
        return {"academy": found}
    return {}


def audit(
    *,
    actor: Any,
    registration: Any,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit row for a change to ``registration``, in the journal of its owner: the
    establishment's, or the academy's for an academy-wide one."""
    from preau.audit.actions import record

    record(
        actor=actor,
        establishment=registration.establishment,
        academy=registration.academy,
        action=action,
        target=registration,
        before=before,
        after=after,
    )
