"""Closed school years: the one place that says whether a service may still write into a
year. The services' actions call ``refuse_closed_year`` before writing marks, logbook or
attendance records; the refusal is a ValidationError, shown like their other refusals."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from preau.directory.models import ClosedYear, SchoolYear


class ClosedYearRefused(ValidationError):
    def __init__(self, school_year: Any) -> None:
        label = school_year.label if isinstance(school_year, SchoolYear) else str(school_year)
        super().__init__(
            _("L'année scolaire %(year)s est archivée : elle se consulte mais ne se modifie plus.")
            % {"year": label},
            code="closed_year",
        )


def is_closed(establishment_id: int, school_year_id: int) -> bool:
    return ClosedYear.objects.filter(
        establishment_id=establishment_id, school_year_id=school_year_id
    ).exists()


def refuse_closed_year(establishment_id: int, school_year_id: int) -> None:
    """Raise ClosedYearRefused when the establishment has closed this school year."""
    if is_closed(establishment_id, school_year_id):
        raise ClosedYearRefused(SchoolYear.objects.get(pk=school_year_id))
