"""The lessons of the caller (a teacher's, a student's) or of a guardian's child, between two
days, with their changes (cancelled, moved, room, replacement teacher)."""

from datetime import timedelta

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.filters import ChildFilter, DateRange, chosen_child
from preau.api.models import Scope
from preau.api.pagination import PageNumberPagination
from preau.api.schemas import LessonOut
from preau.timetable import policies
from preau.timetable.models import Lesson

router = Router(auth=api_auth(Scope.READ_TIMETABLE), tags=["emploi du temps"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get(
    "/timetable",
    response={200: list[LessonOut], **ERRORS},
    url_name="timetable",
    summary="Mes cours",
    openapi_extra={"x-required-scope": Scope.READ_TIMETABLE.value},
)
@paginate(PageNumberPagination)
def lessons(
    request: HttpRequest, days: Query[DateRange], who: Query[ChildFilter]
) -> QuerySet[Lesson]:
    """Lessons starting between ``start`` and ``end`` (7 days from today by default), by start,
    cancelled and moved ones included. A teacher's or a student's own lessons; a guardian's
    child's with ``?child=`` (their first child otherwise).

    Queries: the count, the page, the page's teachers.
    """
    actor = request.actor
    start, end = days.bounds(timezone.localdate(), 7)
    child = chosen_child(actor, who.child)
    if child is None and policies.own_timetable(actor) is None and actor.children:
        child = actor.children[0]
    timetable = policies.child_timetable(actor, child) if child else policies.own_timetable(actor)
    if timetable is None:
        return Lesson.objects.none()
    return (
        Lesson.objects.filter(
            timetable.condition(),
            start__gte=policies.paris_midnight(start),
            start__lt=policies.paris_midnight(end + timedelta(days=1)),
        )
        .select_related(*policies.LESSON_RELATED)
        .prefetch_related("teachers")
        .order_by("start", "id")
    )
