"""A student's marks and their averages by subject, as the grades policies let the caller read
them: the student and their guardians the published marks only; teachers those of the subjects
they teach to the student's class or groups; direction and school life all of them."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.filters import DateRange
from preau.api.models import Scope
from preau.api.pagination import PageNumberPagination
from preau.api.schemas import AveragesOut, MarkOut
from preau.directory import policies as directory_policies
from preau.grades import averages, policies, selectors
from preau.grades.models import Mark

router = Router(auth=api_auth(Scope.READ_MARKS), tags=["notes"])
SCOPE = {"x-required-scope": Scope.READ_MARKS.value}
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MARK_RELATED = ("assessment__subject", "assessment__period")


class MarkFilter(Schema):
    period: UUID | None = Field(None, description="Identifiant public d'une période.")
    subject: UUID | None = Field(None, description="Identifiant public d'une matière.")


class PeriodFilter(Schema):
    period: UUID | None = Field(
        None, description="Identifiant public d'une période (la période en cours par défaut)."
    )


def _student_marks(request: HttpRequest, public_id: UUID) -> QuerySet[Mark]:
    actor = request.actor
    student = directory_policies.access_student(actor, public_id)
    return policies.visible_marks(actor, timezone.now()).filter(student=student)


@router.get(
    "/students/{uuid:public_id}/marks",
    response={200: list[MarkOut], **ERRORS},
    url_name="student_marks",
    summary="Notes d'un élève",
    openapi_extra=SCOPE,
)
@paginate(PageNumberPagination)
def marks(
    request: HttpRequest,
    public_id: UUID,
    filters: Query[MarkFilter],
    days: Query[DateRange],
) -> QuerySet[Mark]:
    """The marks the caller may read, newest assessment first; ``start``/``end`` filter on the
    assessment's date (no default: every date of the school year).

    Queries: the student, the count, the page (with assessment, subject and period).
    """
    found = _student_marks(request, public_id)
    start, end = days.limits()
    if start is not None:
        found = found.filter(assessment__date__gte=start)
    if end is not None:
        found = found.filter(assessment__date__lte=end)
    if filters.period is not None:
        found = found.filter(assessment__period__public_id=filters.period)
    if filters.subject is not None:
        found = found.filter(assessment__subject__public_id=filters.subject)
    return found.select_related("assessment", *MARK_RELATED).order_by(
        "-assessment__date", "-assessment__created_at", "-id"
    )


@router.get(
    "/students/{uuid:public_id}/averages",
    response={200: AveragesOut, **ERRORS},
    url_name="student_averages",
    summary="Moyennes d'un élève par matière",
    openapi_extra=SCOPE,
)
def student_averages(
    request: HttpRequest, public_id: UUID, filters: Query[PeriodFilter]
) -> dict[str, Any]:
    """The averages (on 20) of a period, by subject, from the marks the caller may read: a
    teacher gets the subjects they teach only. A period of another establishment is a 404.

    Queries: the student, the periods, the period's marks.
    """
    actor = request.actor
    found = _student_marks(request, public_id)
    periods = selectors.periods(actor.establishment.pk, actor.school_year.pk)
    if filters.period is not None:
        period = next((p for p in periods if p.public_id == filters.period), None)
        if period is None:
            raise Http404
    else:
        period = selectors.current_period(periods, timezone.localdate())
        if period is None:
            raise Http404
    lines: dict[int, dict[str, Any]] = {}
    for mark in (
        found.filter(assessment__period=period, assessment__graded=True)
        .select_related("assessment__subject")
        .order_by("assessment__subject__label", "assessment__date", "id")
    ):
        subject = mark.assessment.subject
        line = lines.setdefault(subject.pk, {"subject": subject, "marks": []})
        line["marks"].append(mark)
    return {
        "period": period,
        "subjects": [
            {
                "subject": line["subject"],
                "average": averages.subject_average(selectors.entry_of(m) for m in line["marks"]),
                "marks_count": len(line["marks"]),
            }
            for line in lines.values()
        ],
    }
