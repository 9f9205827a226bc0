"""Reads of the discipline pages and panels: lists with what each row shows, in a fixed number
of queries whatever their length."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from preau.directory.models import Enrolment
from preau.discipline import policies
from preau.discipline.models import PUNISHMENTS, SANCTIONS, Involvement, Kind, Measure
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 5


def with_class(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """Each measure with its student, decider and the student's class name (one query)."""
    class_name = Enrolment.objects.filter(
        student=OuterRef("student"),
        establishment=OuterRef("establishment"),
        school_year=OuterRef("school_year"),
    ).values("school_class__name")[:1]
    return measures.select_related("student", "decided_by", "other_kind").annotate(
        class_name=Subquery(class_name)
    )


def filtered(measures: QuerySet[Measure], filters: dict[str, Any]) -> QuerySet[Measure]:
    school_class = filters.get("school_class")
    if school_class is not None:
        measures = measures.filter(
            student__in=Enrolment.objects.filter(school_class=school_class).values("student")
        )
    period = filters.get("period")
    if period is not None:
        measures = measures.filter(decided_on__range=(period.start_date, period.end_date))
    kind = filters.get("kind")
    if kind == "punishments":
        measures = measures.filter(kind__in=PUNISHMENTS)
    elif kind == "sanctions":
        measures = measures.filter(kind__in=SANCTIONS)
    elif kind:
        measures = measures.filter(kind=kind)
    return measures


def involvements_shown(actor: Actor, incidents: list[Any]) -> None:
    """Set ``shown`` (the involvements the actor may read names of) and ``others`` (how many
    more) on each incident (one query)."""
    by_incident: dict[int, list[Involvement]] = {i.pk: [] for i in incidents}
    rows = Involvement.objects.filter(incident__in=list(by_incident)).select_related("student")
    for row in rows.order_by("role", "student__last_name"):
        by_incident[row.incident_id].append(row)
    mine: set[int] | None = None
    if any(not policies.sees_every_name(actor, i) for i in incidents):
        mine = set(
            policies.visible_students(actor)
            .filter(pk__in=[r.student_id for rows in by_incident.values() for r in rows])
            .values_list("pk", flat=True)
        )
    for incident in incidents:
        rows = by_incident[incident.pk]
        if policies.sees_every_name(actor, incident):
            incident.shown, incident.others = rows, 0
        else:
            incident.shown = [r for r in rows if r.student_id in (mine or set())]
            incident.others = len(rows) - len(incident.shown)


# -- home panels -------------------------------------------------------------------------------


def _tomorrow() -> datetime:
    today = timezone.localdate()
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))


def _guardian(actor: Actor, child: Child) -> dict[str, Any] | None:
    """The child's published measures a guardian has yet to acknowledge (1 query)."""
    waiting = list(
        policies.visible_measures(actor)
        .filter(
            student=child.student,
            acknowledgement_required=True,
            acknowledged_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .select_related("other_kind")
        .order_by("-decided_on")[:PANEL_SIZE]
    )
    if not waiting:
        return None
    return {"kind": "guardian", "child": child.student, "measures": waiting}


def _school_life(actor: Actor) -> dict[str, Any] | None:
    """Today's detentions in the establishment (1 query)."""
    today = timezone.localdate()
    detentions = list(
        with_class(
            policies.visible_measures(actor).filter(
                kind=Kind.DETENTION, detention_date=today, cancelled_at__isnull=True
            )
        )
        .select_related("supervisor")
        .order_by("start_time", "student__last_name")
    )
    return {"kind": "school_life", "detentions": detentions, "today": today}


def _student(actor: Actor) -> dict[str, Any] | None:
    """The student's coming detentions and extra work (1 query)."""
    today = timezone.localdate()
    coming = list(
        policies.visible_measures(actor)
        .filter(student=actor.user, cancelled_at__isnull=True)
        .filter(
            Q(kind=Kind.DETENTION, detention_date__gte=today)
            | Q(kind=Kind.EXTRA_WORK, due_date__gte=today)
        )
        .order_by("detention_date", "due_date")[:PANEL_SIZE]
    )
    if not coming:
        return None
    return {"kind": "student", "measures": coming}


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    kind = actor.home_kind
    if kind == "guardian":
        if child is None:
            return None

        def compute() -> tuple[dict[str, Any] | None, Any]:
            return _guardian(actor, child), None

    elif policies.is_school_life(actor) and not actor.is_teacher:

        def compute() -> tuple[dict[str, Any] | None, Any]:
            return _school_life(actor), _tomorrow()

    elif kind == "student":

        def compute() -> tuple[dict[str, Any] | None, Any]:
            return _student(actor), _tomorrow()

    else:
        return None
    # Kept until a measure of the establishment changes, or the day ends.
    return cached_panel(actor, child, "discipline", compute, "discipline/panel.html")
