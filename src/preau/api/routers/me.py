"""GET /me: who the caller is, where, with which children and classes."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.models import Scope
from preau.api.schemas import MeOut

router = Router(auth=api_auth(Scope.READ_PROFILE), tags=["profil"])


def _establishment(establishment: Any) -> dict[str, Any]:
    return {
        "public_id": establishment.public_id,
        "uai": establishment.uai,
        "name": establishment.name,
    }


def _subject(subject: Any) -> dict[str, Any]:
    return {"public_id": subject.public_id, "code": subject.code, "label": subject.label}


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    url_name="me",
    summary="Mon profil",
    openapi_extra={"x-required-scope": Scope.READ_PROFILE.value},
)
def me(request: HttpRequest) -> dict[str, Any]:
    """Identity, memberships of the current school year, children and classes taught.

    Queries: the school year, the memberships with their establishments, the children with
    their enrolments (2) and, for a teacher, the teaching assignments of the current
    establishment.
    """
    actor = request.actor
    user = actor.user
    return {
        "public_id": user.public_id,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "current_establishment": _establishment(actor.establishment)
        if actor.establishment
        else None,
        "memberships": [
            {
                "establishment": _establishment(m.establishment),
                "profile": m.profile,
                "profile_label": str(m.get_profile_display()),
                "functions": list(m.functions),
            }
            for m in actor.memberships
        ],
        "children": [
            {
                "public_id": child.student.public_id,
                "first_name": child.student.first_name,
                "last_name": child.student.last_name,
                "enrolments": [
                    {
                        "establishment": _establishment(e.establishment),
                        "school_class": {
                            "public_id": e.school_class.public_id,
                            "name": e.school_class.name,
                        },
                    }
                    for e in child.enrolments
                ],
            }
            for child in actor.children
        ],
        "classes_taught": [
            {
                "public_id": a.school_class.public_id,
                "name": a.school_class.name,
                "subject": _subject(a.subject),
            }
            for a in actor.teaching_assignments
            if a.school_class_id
        ],
        "groups_taught": [
            {"public_id": a.group.public_id, "name": a.group.name, "subject": _subject(a.subject)}
            for a in actor.teaching_assignments
            if a.group_id
        ],
    }
