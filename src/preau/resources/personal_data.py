"""A person's favourites and the licences they have used, for the export of their data
(preau.privacy). Openings are counted without naming anyone and are not part of it."""

from typing import Any

from django.db.models import F

from preau.privacy.registry import PersonalData, rows
from preau.resources.models import Favourite, LicenceSeat


def export(person: Any) -> PersonalData:
    favourites = (
        Favourite.objects.filter(person=person)
        .order_by("created_at", "pk")
        .values("created_at", ressource=F("resource__title"))
    )
    seats = (
        LicenceSeat.objects.filter(person=person)
        .order_by("first_opened_at", "pk")
        .values(
            "first_opened_at",
            ressource=F("licence__resource__title"),
            etablissement=F("establishment__name"),
        )
    )
    return PersonalData(records={"favoris": rows(favourites), "licences_utilisees": rows(seats)})
