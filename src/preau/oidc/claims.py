"""What a client learns about a person, scope by scope.

``profile``: names and login; ``email``: the address; ``preau_roles``: for each establishment
through which the person reaches the client, its UAI, the national profiles held there this
school year and the classes (own class for a student, classes taught for a teacher). A client
never hears of establishments outside its registration.

Two queries for ``preau_roles`` (memberships, then classes); none for the other scopes.
"""

from __future__ import annotations

from typing import Any

from preau.core.actor import Actor, current_school_year
from preau.directory.models import Enrolment, Membership, TeachingAssignment
from preau.oidc import policies
from preau.oidc.models import OidcClient

CLAIMS = [
    "sub",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "locale",
    "email",
    "email_verified",
]


def person_claims(user: Any) -> dict[str, Any]:
    name = f"{user.first_name} {user.last_name}".strip() or user.username
    return {
        "sub": str(user.public_id),
        "name": name,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "preferred_username": user.username,
        "locale": getattr(user, "language", "") or "fr",
        "email": user.email,
        "email_verified": bool(user.email),
    }


def school_roles(user: Any, client: OidcClient | None) -> list[dict[str, Any]]:
    if client is None:
        return []
    establishments = policies.establishments_for(Actor(user), client)
    if not establishments:
        return []
    ids = [e.pk for e in establishments]
    year = current_school_year()
    profiles: dict[int, set[str]] = {pk: set() for pk in ids}
    for establishment_id, profile in Membership.objects.filter(
        person=user, establishment_id__in=ids, school_year=year, is_active=True
    ).values_list("establishment_id", "profile"):
        profiles[establishment_id].add(profile)
    classes: dict[int, set[str]] = {pk: set() for pk in ids}
    own = Enrolment.objects.filter(
        student=user, establishment_id__in=ids, school_year=year
    ).values_list("establishment_id", "school_class__name")
    taught = TeachingAssignment.objects.filter(
        teacher=user, establishment_id__in=ids, school_year=year, school_class__isnull=False
    ).values_list("establishment_id", "school_class__name")
    for establishment_id, name in [*own, *taught]:
        classes[establishment_id].add(name)
    return [
        {
            "uai": establishment.uai,
            "name": establishment.name,
            "profiles": sorted(profiles[establishment.pk]),
            "classes": sorted(classes[establishment.pk]),
        }
        for establishment in establishments
    ]
