"""Classes and students, as the directory policies let the caller see them."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.models import Scope
from preau.api.pagination import PageNumberPagination
from preau.api.schemas import ClassDetailOut, ClassOut, StudentDetailOut, StudentOut
from preau.directory import policies, selectors

router = Router(auth=api_auth(Scope.READ_DIRECTORY), tags=["annuaire"])
SCOPE = {"x-required-scope": Scope.READ_DIRECTORY.value}
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get(
    "/classes",
    response={200: list[ClassOut], **ERRORS},
    url_name="class_list",
    summary="Classes visibles",
    openapi_extra=SCOPE,
)
@paginate(PageNumberPagination)
def class_list(request: HttpRequest) -> QuerySet:
    """Classes of the establishment and year the caller may open (count + one page: 2 queries)."""
    return policies.visible_classes(request.actor).select_related("level", "head_teacher")


@router.get(
    "/classes/{uuid:public_id}",
    response={200: ClassDetailOut, **ERRORS},
    url_name="class_detail",
    summary="Une classe",
    openapi_extra=SCOPE,
)
def class_detail(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    actor = request.actor
    school_class = policies.access_class(actor, public_id)
    return {
        "public_id": school_class.public_id,
        "name": school_class.name,
        "level": school_class.level,
        "head_teacher": school_class.head_teacher,
        "establishment": actor.establishment,
        "school_year": actor.school_year.label,
        "teachers": [
            {"teacher": a.teacher, "subject": a.subject}
            for a in selectors.class_teachers(school_class)
        ],
    }


@router.get(
    "/classes/{uuid:public_id}/students",
    response={200: list[StudentOut], **ERRORS},
    url_name="class_students",
    summary="Élèves d'une classe",
    openapi_extra=SCOPE,
)
@paginate(PageNumberPagination)
def class_students(request: HttpRequest, public_id: UUID) -> list[Any]:
    """The roster, as the class page shows it to whoever may open the class."""
    school_class = policies.access_class(request.actor, public_id)
    return selectors.class_roster(school_class)


@router.get(
    "/students/{uuid:public_id}",
    response={200: StudentDetailOut, **ERRORS},
    url_name="student_detail",
    summary="Un élève",
    openapi_extra=SCOPE,
)
def student_detail(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    actor = request.actor
    student = policies.access_student(actor, public_id)
    enrolment = selectors.current_enrolment(student, actor.establishment, actor.school_year)
    return {
        "public_id": student.public_id,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "school_class": enrolment.school_class if enrolment else None,
        "establishment": actor.establishment,
    }
