"""Reads of the médiacentre shared by its pages and the home panel, in a fixed number of
queries whatever the size of the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from preau.directory.models import Establishment, Level
from preau.lti import policies as lti_policies
from preau.portal.panel_cache import bump_scope, cached_panel, forget_panels
from preau.resources import policies
from preau.resources.models import (
    Favourite,
    Licence,
    LicenceTarget,
    MonthlyReader,
    OpeningCount,
    Resource,
    ResourceKind,
)

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child
    from preau.lti.models import LtiPlacement

PAGE_SIZE = 48
# The kind filter's value for the LTI tools of the reader's classes (not a ResourceKind: a tool
# placed in a class is an LTI placement, listed beside the resources).
TOOL_KIND = "lti"
PANEL_SIZE = 6
# Statistics leave out any month of a resource read by fewer people than this.
MIN_PEOPLE = 5
STATISTICS_MONTHS = 12


def forget_catalogue(establishment: Establishment | int | None) -> None:
    """What the establishment's members may open changed: their panels are recomputed."""
    if establishment is not None:
        bump_scope("resources", [getattr(establishment, "pk", establishment)])


def forget_favourites(person: Any) -> None:
    forget_panels("resources", [person.pk])


# -- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    subject: str = ""
    level: str = ""
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.kind or self.subject or self.level or self.text)


def _with_favourites(actor: Actor, resources: QuerySet[Resource]) -> QuerySet[Resource]:
    mine = Favourite.objects.filter(person=actor.user, resource=OuterRef("pk"))
    return resources.annotate(is_favourite=Exists(mine))


def catalogue(actor: Actor, filters: Filters, page_number: Any = 1) -> Page:
    """The resources the actor may open, favourites first, filtered (3 queries: the count, the
    page, the levels of its resources)."""
    resources = policies.visible_resources(actor)
    if filters.kind:
        resources = resources.filter(kind=filters.kind)
    if filters.subject:
        resources = resources.filter(subject=filters.subject)
    if filters.level:
        resources = resources.filter(levels__code=filters.level)
    if filters.text:
        resources = resources.filter(
            Q(title__icontains=filters.text)
            | Q(description__icontains=filters.text)
            | Q(publisher__icontains=filters.text)
        )
    resources = (
        _with_favourites(actor, resources)
        .select_related("drive_file")
        .prefetch_related(Prefetch("levels", queryset=Level.objects.order_by("order")))
        .order_by("-is_favourite", "title", "pk")
    )
    return Paginator(resources, PAGE_SIZE).get_page(page_number)


def placed_tools(actor: Actor) -> list[LtiPlacement]:
    """The LTI tools placed in the actor's classes and groups this year, as the LTI app's pages
    list them (its policies decide: a student's class and groups, a teacher's classes), with
    their class, group, subject and level (1 query). Few per person: filtered in memory."""
    return list(
        lti_policies.visible_placements(actor).select_related("assignment__school_class__level")
    )


def filter_tools(tools: list[LtiPlacement], filters: Filters) -> list[LtiPlacement]:
    """The tools matching the catalogue's filters: the tool kind (or none), the subject of the
    class, the level of the class, the text in the title or the tool's name."""
    if filters.kind and filters.kind != TOOL_KIND:
        return []
    kept = []
    text = filters.text.casefold()
    for placement in tools:
        assignment = placement.assignment
        if filters.subject and assignment.subject.label != filters.subject:
            continue
        if filters.level and (
            assignment.school_class is None or assignment.school_class.level.code != filters.level
        ):
            continue
        if text and text not in f"{placement.title} {placement.tool.name}".casefold():
            continue
        kept.append(placement)
    return kept


def subjects(actor: Actor) -> list[str]:
    """The subjects of the resources the actor may open, for the filter (1 query)."""
    return list(
        policies.visible_resources(actor)
        .exclude(subject="")
        .order_by("subject")
        .values_list("subject", flat=True)
        .distinct()
    )


# -- the home panel ---------------------------------------------------------------------------


def panel_data(actor: Actor) -> dict[str, Any] | None:
    favourites = list(
        policies.visible_resources(actor)
        .filter(favourites__person=actor.user)
        .order_by("title")[:PANEL_SIZE]
    )
    return {"favourites": favourites}


def _tomorrow() -> datetime:
    # Licences start and end with the day: the panel is recomputed every morning.
    today = timezone.localdate()
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    if child is not None or policies.reader_of(actor) is None:
        return None
    return cached_panel(
        actor, child, "resources", lambda: (panel_data(actor), _tomorrow()), "resources/panel.html"
    )


# -- the console ------------------------------------------------------------------------------


def licence_rows(establishment: Establishment) -> list[Licence]:
    """The establishment's licences with their resource, targets and seats used (2 queries)."""
    targets = LicenceTarget.objects.select_related("school_class", "person").order_by("pk")
    return list(
        policies.establishment_licences(establishment)
        .select_related("resource")
        .annotate(used=Count("seat_rows"))
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by("revoked_at", "-ends_on", "resource__title")
    )


def licence_status(licence: Licence, today: date) -> str:
    if licence.revoked_at is not None:
        return "revoked"
    if licence.ends_on < today:
        return "expired"
    if licence.starts_on > today:
        return "upcoming"
    return "running"


@dataclass
class MonthFigure:
    month: date
    openings: int | None  # None: fewer than MIN_PEOPLE people, left out


@dataclass
class ResourceFigures:
    resource: Resource
    months: list[MonthFigure]


def statistics(establishment: Establishment, today: date | None = None) -> tuple[list[date], list]:
    """Openings per resource and month over the last twelve months, a month left out when fewer
    than five people opened the resource in it (3 queries)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(STATISTICS_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    months: list[date] = []
    cursor = first
    while cursor <= today:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    openings = {
        (row["resource_id"], row["month"]): row["openings"]
        for row in OpeningCount.objects.filter(establishment=establishment, day__gte=first)
        .annotate(month=TruncMonth("day"))
        .values("resource_id", "month")
        .annotate(openings=Sum("count"))
    }
    people = {
        (row["resource_id"], row["month"]): row["people"]
        for row in MonthlyReader.objects.filter(establishment=establishment, month__gte=first)
        .values("resource_id", "month")
        .annotate(people=Count("pk"))
    }
    resource_ids = {resource_id for resource_id, _month in openings}
    resources = Resource.objects.filter(pk__in=resource_ids).order_by("title")
    figures = []
    for resource in resources:
        row = []
        for month in months:
            count = openings.get((resource.pk, month), 0)
            if count and people.get((resource.pk, month), 0) < MIN_PEOPLE:
                row.append(MonthFigure(month, None))
            else:
                row.append(MonthFigure(month, count))
        figures.append(ResourceFigures(resource, row))
    return months, figures


def kinds() -> list[tuple[str, str]]:
    return list(ResourceKind.choices)
