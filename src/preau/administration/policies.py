"""Who may use the academy side of the console, and lookups of rows inside one establishment.

The establishment side is decided by preau.directory.policies (administered_establishments and
access_administered_establishment); every lookup below starts from an establishment it returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from preau.directory.models import (
    Academy,
    Establishment,
    Membership,
    Period,
    SchoolClass,
    Subject,
    TeachingGroup,
)
from preau.directory.policies import get_or_404

if TYPE_CHECKING:
    from preau.core.actor import Actor


def managed_academies(actor: Actor) -> QuerySet[Academy]:
    """Academies whose establishments the actor creates, closes and gives a head to."""
    if not actor.is_authenticated:
        return Academy.objects.none()
    if actor.is_superuser:
        return Academy.objects.all()
    return Academy.objects.filter(pk__in=actor.administered_academy_ids)


def academy_establishments(actor: Actor) -> QuerySet[Establishment]:
    return Establishment.objects.filter(academy__in=managed_academies(actor))


def access_academy_establishment(actor: Actor, public_id: Any) -> Establishment:
    return get_or_404(academy_establishments(actor).select_related("academy"), public_id)


# -- rows of one administered establishment ----------------------------------------------------


def access_member(establishment: Establishment, public_id: Any) -> Membership:
    return get_or_404(
        Membership.objects.filter(establishment=establishment).select_related(
            "person", "school_year"
        ),
        public_id,
    )


def access_class(establishment: Establishment, public_id: Any) -> SchoolClass:
    return get_or_404(
        SchoolClass.objects.filter(establishment=establishment).select_related(
            "level", "head_teacher"
        ),
        public_id,
    )


def access_group(establishment: Establishment, public_id: Any) -> TeachingGroup:
    return get_or_404(TeachingGroup.objects.filter(establishment=establishment), public_id)


def access_subject(establishment: Establishment, public_id: Any) -> Subject:
    return get_or_404(Subject.objects.filter(establishment=establishment), public_id)


def access_period(establishment: Establishment, public_id: Any) -> Period:
    return get_or_404(Period.objects.filter(establishment=establishment), public_id)
