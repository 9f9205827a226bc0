"""Who reads which statistics.

Heads and deputy heads read their establishments' (any establishment where they hold that
function this year), academy administrators those of their academies, superusers everything
(the national view). Nobody else: teachers, students, guardians get 404 like for a missing page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from preau.core.actor import Actor
from preau.directory.models import Academy, Establishment, Function
from preau.directory.policies import get_or_404

READER_FUNCTIONS = frozenset({Function.HEAD, Function.DEPUTY_HEAD})


def visible_establishments(actor: Actor) -> QuerySet[Establishment]:
    if not actor.is_authenticated:
        return Establishment.objects.none()
    if actor.is_superuser:
        return Establishment.objects.all()
    headed = {m.establishment_id for m in actor.memberships if set(m.functions) & READER_FUNCTIONS}
    return Establishment.objects.filter(
        Q(pk__in=headed) | Q(academy_id__in=actor.administered_academy_ids)
    )


def access_establishment(actor: Actor, public_id: Any) -> Establishment:
    return get_or_404(visible_establishments(actor).select_related("academy"), public_id)


def visible_academies(actor: Actor) -> QuerySet[Academy]:
    if not actor.is_authenticated:
        return Academy.objects.none()
    if actor.is_superuser:
        return Academy.objects.all()
    return Academy.objects.filter(pk__in=actor.administered_academy_ids)


def access_academy(actor: Actor, public_id: Any) -> Academy:
    return get_or_404(visible_academies(actor), public_id)


def can_read_any(actor: Actor) -> bool:
    """Whether the statistics' index has anything to offer this person."""
    return (
        actor.is_superuser
        or bool(actor.administered_academy_ids)
        or any(set(m.functions) & READER_FUNCTIONS for m in actor.memberships)
    )


def require_national(actor: Actor) -> None:
    if not actor.is_superuser:
        raise Http404
