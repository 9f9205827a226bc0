"""Homework due between two days: a student's, a guardian's child's, a teacher's classes' and
groups', every class's for direction and school life (the logbook's reading rules)."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router
from ninja.pagination import paginate

from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.filters import ChildFilter, DateRange, chosen_child
from preau.api.models import Scope
from preau.api.pagination import PageNumberPagination
from preau.api.schemas import HomeworkOut
from preau.logbook import policies
from preau.logbook.models import Homework, HomeworkKind

router = Router(auth=api_auth(Scope.READ_HOMEWORK), tags=["cahier de textes"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class HomeworkFilter(ChildFilter):
    subject: UUID | None = Field(None, description="Identifiant public d'une matière.")
    kind: HomeworkKind | None = Field(None, description="Type de travail.")


@router.get(
    "/homework",
    response={200: list[HomeworkOut], **ERRORS},
    url_name="homework",
    summary="Travail à faire",
    openapi_extra={"x-required-scope": Scope.READ_HOMEWORK.value},
)
@paginate(PageNumberPagination)
def homework(
    request: HttpRequest, days: Query[DateRange], filters: Query[HomeworkFilter]
) -> QuerySet[Homework]:
    """Homework due between ``start`` and ``end`` (14 days from today by default), by due date.
    With ``?child=``, only that child's (a guardian's); otherwise everything the caller reads.

    Queries: the count and the page (with subject, lesson, class and group).
    """
    actor = request.actor
    start, end = days.bounds(timezone.localdate(), 14)
    found = policies.visible_homework(actor).filter(due_date__gte=start, due_date__lte=end)
    child = chosen_child(actor, filters.child)
    if child is not None:
        timetable = policies.reader_timetable(actor, child)
        if timetable is None:
            return Homework.objects.none()
        found = found.filter(lesson__in=policies.timetable_lessons(timetable))
    if filters.subject is not None:
        found = found.filter(subject__public_id=filters.subject)
    if filters.kind is not None:
        found = found.filter(kind=filters.kind)
    return found.select_related("subject", "lesson", "school_class", "group").order_by(
        "due_date", "lesson__start", "id"
    )
