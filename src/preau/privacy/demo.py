"""Demo privacy notice: Collège Jean Moulin names its data-protection officer and adds a line
of its own; Lycée Marie Curie keeps the national text and the academy's officer.

Idempotent: the notice is found by its establishment.
"""

from __future__ import annotations

from typing import Any

from preau.privacy.models import PrivacyNotice


def build(cast: Any) -> None:
    PrivacyNotice.objects.get_or_create(
        establishment=cast.moulin,
        defaults={
            "dpo_name": "Délégué à la protection des données de l'académie de Versailles",
            "dpo_email": "dpd@ac-versailles.localhost",
            "dpo_address": "3 boulevard de Lesseps\n78017 Versailles Cedex",
            "extra_text": (
                "Les photos de classe ne sont publiées sur le portail qu'avec l'accord écrit "
                "des familles, recueilli à la rentrée."
            ),
            "updated_by": cast.principal_moulin,
        },
    )
