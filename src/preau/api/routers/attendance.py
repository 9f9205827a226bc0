"""A student's absences, lateness and early departures, as the attendance policies let the
caller read them (the student, their guardians, their teachers, school life and direction)."""

from datetime import timedelta
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.filters import DateRange
from preau.api.models import Scope
from preau.api.pagination import PageNumberPagination
from preau.api.schemas import AttendanceRecordOut
from preau.attendance import selectors
from preau.attendance.models import AttendanceRecord, RecordKind, RecordStatus
from preau.directory import policies as directory_policies
from preau.timetable.policies import paris_midnight

router = Router(auth=api_auth(Scope.READ_ATTENDANCE), tags=["vie scolaire"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class RecordFilter(Schema):
    kind: RecordKind | None = Field(None, description="absence, lateness ou early.")
    status: RecordStatus | None = Field(None, description="État de la justification.")


@router.get(
    "/students/{uuid:public_id}/attendance",
    response={200: list[AttendanceRecordOut], **ERRORS},
    url_name="student_attendance",
    summary="Absences et retards d'un élève",
    openapi_extra={"x-required-scope": Scope.READ_ATTENDANCE.value},
)
@paginate(PageNumberPagination)
def records(
    request: HttpRequest,
    public_id: UUID,
    filters: Query[RecordFilter],
    days: Query[DateRange],
) -> QuerySet[AttendanceRecord]:
    """The student's records of the school year, newest first; ``start``/``end`` keep those
    that overlap those days (either bound may be left out).

    Queries: the student, the count, the page (with reason and the lesson's subject).
    """
    actor = request.actor
    student = directory_policies.access_student(actor, public_id)
    found = selectors.records_of(actor, student.pk)
    # Records that overlap the days asked for (an absence may last several days).
    start, end = days.limits()
    if start is not None:
        found = found.filter(end__gt=paris_midnight(start))
    if end is not None:
        found = found.filter(start__lt=paris_midnight(end + timedelta(days=1)))
    if filters.kind is not None:
        found = found.filter(kind=filters.kind)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    return found
