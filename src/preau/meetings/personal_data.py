"""A person's parent-teacher meetings, for the export of their data (preau.privacy): the
appointments they booked (a guardian) or held (a teacher), and a host's availabilities."""

from typing import Any

from django.db.models import F, Q

from preau.meetings.models import Availability, Booking
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    bookings = (
        Booking.objects.filter(Q(guardian=person) | Q(host=person))
        .order_by("slot__starts_at", "pk")
        .values(
            "created_at",
            "cancelled_at",
            campagne=F("campaign__title"),
            debut=F("slot__starts_at"),
            fin=F("slot__ends_at"),
            professeur_prenom=F("host__first_name"),
            professeur_nom=F("host__last_name"),
            responsable_prenom=F("guardian__first_name"),
            responsable_nom=F("guardian__last_name"),
            eleve_prenom=F("student__first_name"),
            eleve_nom=F("student__last_name"),
            etablissement=F("establishment__name"),
        )
    )
    availabilities = (
        Availability.objects.filter(host=person)
        .order_by("starts_at", "pk")
        .values("starts_at", "ends_at", "room", campagne=F("campaign__title"))
    )
    return PersonalData(
        records={"rendez_vous": rows(bookings), "disponibilites": rows(availabilities)}
    )
