"""A person's memberships and guardianships, for the export of their data (preau.privacy).

A guardianship names the other person (child or guardian) and the legal flags, nothing of
the other person's records.
"""

from typing import Any

from django.db.models import F, Q

from preau.directory.models import Guardianship, Membership
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    memberships = (
        Membership.objects.filter(person=person)
        .order_by("school_year__start_date", "establishment__name")
        .values(
            "profile",
            "functions",
            "is_active",
            "created_at",
            etablissement=F("establishment__name"),
            uai=F("establishment__uai"),
            annee_scolaire=F("school_year__label"),
        )
    )
    guardianships = (
        Guardianship.objects.filter(Q(guardian=person) | Q(student=person))
        .order_by("pk")
        .values(
            "relationship",
            "legal",
            "financial",
            "contact",
            responsable_prenom=F("guardian__first_name"),
            responsable_nom=F("guardian__last_name"),
            eleve_prenom=F("student__first_name"),
            eleve_nom=F("student__last_name"),
        )
    )
    return PersonalData(
        records={"rattachements": rows(memberships), "responsabilites": rows(guardianships)}
    )
