"""Demo CAS service: the collège's school-life software logs its users in through Préau.

Idempotent: the service is found by its establishment and address, and kept as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preau.demo.cast import Cast

SCHOOL_LIFE_URL = "https://vie-scolaire.college-jean-moulin.example/"


def build(cast: Cast) -> None:
    # Imported here: the benchmark's driver reads the address above without loading Django.
    from preau.cas.actions import do_register_service
    from preau.cas.models import Attribute, CasService, MatchKind

    if CasService.objects.filter(establishment=cast.moulin, pattern=SCHOOL_LIFE_URL).exists():
        return
    do_register_service(
        actor=cast.principal_moulin,
        name="Vie scolaire (logiciel de l'établissement)",
        match_kind=MatchKind.PREFIX,
        pattern=SCHOOL_LIFE_URL,
        attributes=[
            Attribute.USERNAME,
            Attribute.PROFILES,
            Attribute.UAI,
            Attribute.FIRST_NAME,
            Attribute.LAST_NAME,
            Attribute.CLASSES,
        ],
        may_proxy=False,
        establishment=cast.moulin,
    )
