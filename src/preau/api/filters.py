"""Filters shared by the API's lists: a range of days and a guardian's ``?child=``.

A date that does not parse is django-ninja's 422 (``validation_error``); a range that ends
before it starts, or that is too long, is our own 422 (``invalid_range``). Both are in the error
format.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema

from preau.api.errors import ApiError

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

# A school year and a little more: enough for any yearly export, small enough to stay cheap.
MAX_RANGE_DAYS = 400


class DateRange(Schema):
    start: date | None = Field(None, description="Premier jour (AAAA-MM-JJ), inclus.")
    end: date | None = Field(None, description="Dernier jour (AAAA-MM-JJ), inclus.")

    def bounds(self, default_start: date, default_days: int) -> tuple[date, date]:
        """The range asked for, ``default_days`` long from ``default_start`` (or up to ``end``)
        when a bound is missing; 422 when the end comes before the start or the range is
        longer than MAX_RANGE_DAYS."""
        span = timedelta(days=default_days - 1)
        start = self.start or (self.end - span if self.end else default_start)
        end = self.end or start + span
        _check(start, end)
        return start, end

    def limits(self) -> tuple[date | None, date | None]:
        """The bounds given, either of them open; 422 when the end comes before the start."""
        if self.start and self.end and self.end < self.start:
            _check(self.start, self.end)
        return self.start, self.end


def _check(start: date, end: date) -> None:
    if end < start or (end - start).days >= MAX_RANGE_DAYS:
        raise ApiError(
            422,
            "invalid_range",
            _(
                "La période demandée n'est pas valide : la fin doit suivre le début, et "
                "elle ne peut dépasser %(days)s jours."
            )
            % {"days": MAX_RANGE_DAYS},
            {"start": start.isoformat(), "end": end.isoformat()},
        )


class ChildFilter(Schema):
    child: UUID | None = Field(
        None, description="Pour un responsable : l'identifiant public d'un de ses enfants."
    )


def chosen_child(actor: Actor, public_id: UUID | None) -> Child | None:
    """The guardian's child named by ``?child=``; 404 for anyone who is not their child."""
    if public_id is None:
        return None
    for child in actor.children:
        if child.student.public_id == public_id:
            return child
    raise Http404
