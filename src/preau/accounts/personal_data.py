"""A person's identity and recent logins, for the export of their data (preau.privacy)."""

from typing import Any

from django.db.models import F

from preau.audit.models import LoginEvent
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    identity = {
        "identifiant": person.username,
        "identifiant_public": str(person.public_id),
        "prenom": person.first_name,
        "nom": person.last_name,
        "email": person.email,
        "date_de_naissance": person.birth_date,
        "ine": person.ine,
        "langue": person.language,
        "compte_cree_le": person.date_joined,
        "derniere_connexion": person.last_login,
        "actif": person.is_active,
    }
    logins = (
        LoginEvent.objects.filter(person=person)
        .order_by("at")
        .values("at", "succeeded", "address", tried=F("username_tried"))
    )
    return PersonalData(records={"identite": [identity], "connexions": rows(logins)})
