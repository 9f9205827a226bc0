"""Which service of the national audience nomenclature a request belongs to, and which profile.

A request is attributed through its URL namespace: a service of the portal's registry carries its
national code (``Service.national_code``, one place for the nomenclature); the few namespaces that
are no service of the registry (the home page, the account pages, WebDAV and CalDAV clients) are
mapped here. Namespaces absent from both (the API, single sign-on endpoints, health checks, these
statistics) are not counted: they are not a person using a service.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from preau.directory.models import STAFF_PROFILES, Profile

OTHER = "Autre"

# The codes a visitor's row keeps as bits (DailyVisitor.services): append only, never reorder,
# since a bit's meaning is stored. A code missing here is counted as OTHER.
CODES: tuple[str, ...] = (
    "Page_ENT",
    "Courrier_Electronique",
    "Actualites",
    "Ressources_En_Ligne",
    "Travail_Collaboratif",
    "Casier",
    "Stockage_Partage",
    "Gestion_Temps",
    "Vie_Scolaire",
    "Cahier_Textes",
    "Notes",
    "Competences",
    "RencontresParentsProfesseurs",
    "Annuaire",
    "Administration",
    "Absences",
    OTHER,
)
BITS = {code: 1 << index for index, code in enumerate(CODES)}

# Namespaces that are not services of the registry but are a person using the portal.
EXTRA_NAMESPACES = {
    "portal": "Page_ENT",
    "accounts": "Page_ENT",
    "privacy": "Page_ENT",
    "notifications": "Page_ENT",
    "administration": "Administration",
    "dav": "Stockage_Partage",
    "caldav": "Gestion_Temps",
}

_codes: dict[str, str | None] = {}


def service_code(namespace: str) -> str | None:
    """The national code of a URL namespace, or None for a request that is not counted."""
    if namespace in _codes:
        return _codes[namespace]
    from preau.portal.registry import service_for_namespace

    service = service_for_namespace(namespace)
    code = (service.national_code if service else "") or EXTRA_NAMESPACES.get(namespace)
    if code is not None and code not in BITS:
        code = OTHER
    _codes[namespace] = code
    return code


def codes_of(services: int) -> list[str]:
    """The codes a visitor's bit set holds."""
    return [code for code, bit in BITS.items() if services & bit]


STUDENT = "student"
GUARDIAN = "guardian"
TEACHER = "teacher"
STAFF = "staff"
PERSON_OTHER = "other"
PROFILES: tuple[str, ...] = (STUDENT, GUARDIAN, TEACHER, STAFF, PERSON_OTHER)
PROFILE_LABELS = {
    STUDENT: _("Élèves"),
    GUARDIAN: _("Responsables"),
    TEACHER: _("Enseignants"),
    STAFF: _("Personnels"),
    PERSON_OTHER: _("Autres"),
}


def profile_of(profiles: Iterable[str]) -> str:
    """One person's profile in one establishment, from their national profiles there.

    The same precedence as the home page a person gets: staff who do not teach, then teachers,
    guardians, students; someone with none of these is « other ».
    """
    held = set(profiles)
    if held & STAFF_PROFILES and Profile.TEACHER not in held:
        return STAFF
    if Profile.TEACHER in held:
        return TEACHER
    if Profile.GUARDIAN in held:
        return GUARDIAN
    if Profile.STUDENT in held:
        return STUDENT
    return PERSON_OTHER
