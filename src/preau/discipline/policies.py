"""Who sees and decides which discipline records. The one place these rules live.

- **School life** (head, deputy, CPE, direction and education staff of the establishment): every
  incident and every measure of the establishment, with the staff notes.
- **Teachers**: the measures they decided or supervise (with the notes), and the measures and
  incidents of the students they teach or whose class they head, without the notes; an incident
  they read shows only the names of their own students. They give punishments to the students
  they teach; never sanctions.
- **Head and deputy**: pronounce sanctions (and record those of the conseil de discipline).
- **Guardians**: the published measures of their children, in whichever establishment, without
  the staff notes, the incident's description or any other student's name. Never incidents.
- **Students**: their own published measures, likewise.

Missing and forbidden get the same answer (Http404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from preau.directory.models import Function
from preau.directory.policies import get_or_404, visible_students
from preau.discipline.models import Incident, Measure

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

SANCTION_FUNCTIONS = frozenset({Function.HEAD, Function.DEPUTY_HEAD})


def is_school_life(actor: Actor) -> bool:
    """Direction and school life of the current establishment."""
    return (
        actor.is_authenticated
        and actor.establishment is not None
        and (actor.sees_whole_establishment)
    )


def can_punish(actor: Actor) -> bool:
    return (
        actor.is_authenticated
        and actor.establishment is not None
        and (actor.is_teacher or is_school_life(actor))
    )


def can_sanction(actor: Actor) -> bool:
    """R421-10: the head pronounces sanctions; the deputy by delegation."""
    return (
        actor.is_authenticated
        and actor.establishment is not None
        and bool(actor.functions & SANCTION_FUNCTIONS)
    )


def can_report(actor: Actor) -> bool:
    return can_punish(actor)


def concerned_students(actor: Actor) -> QuerySet:
    """Students the actor may report about and punish: all the establishment's for school life,
    their own students for a teacher."""
    if not can_punish(actor):
        return visible_students(actor).none()
    return visible_students(actor)


def _own_students(actor: Actor) -> QuerySet:
    return visible_students(actor).values("pk")


# -- measures ----------------------------------------------------------------------------------


def visible_measures(actor: Actor) -> QuerySet[Measure]:
    if not actor.is_authenticated:
        return Measure.objects.none()
    published = Q(published_at__isnull=False)
    condition = Q(pk__in=[])
    if actor.is_guardian and actor.child_ids:
        establishments = {
            enrolment.establishment_id for child in actor.children for enrolment in child.enrolments
        }
        condition |= published & Q(student__in=actor.child_ids, establishment__in=establishments)
    establishment = actor.establishment
    if establishment is None:
        return Measure.objects.filter(condition)
    here = Q(establishment=establishment)
    if is_school_life(actor):
        condition |= here
    else:
        if actor.is_student:
            condition |= here & published & Q(student=actor.user)
        if actor.is_teacher:
            condition |= here & (
                Q(decided_by=actor.user)
                | Q(supervisor=actor.user)
                | Q(student__in=_own_students(actor))
            )
    return Measure.objects.filter(condition)


def access_measure(actor: Actor, public_id: Any) -> Measure:
    return get_or_404(
        visible_measures(actor).select_related(
            "student",
            "decided_by",
            "supervisor",
            "other_kind",
            "incident__category",
            "acknowledged_by",
            "establishment",
        ),
        public_id,
    )


def can_see_notes(actor: Actor, measure: Measure) -> bool:
    """Staff notes: school life of the establishment and the one who decided."""
    if not actor.is_authenticated:
        return False
    if measure.decided_by_id == actor.user.pk:
        return True
    return is_school_life(actor) and actor.establishment.pk == measure.establishment_id


def can_change(actor: Actor, measure: Measure) -> bool:
    """Edit or cancel: sanctions by the head or deputy; punishments by who gave them and by
    school life."""
    if measure.cancelled_at is not None or actor.establishment is None:
        return False
    if actor.establishment.pk != measure.establishment_id:
        return False
    if measure.is_sanction:
        return can_sanction(actor)
    return measure.decided_by_id == actor.user.pk or is_school_life(actor)


def can_acknowledge(actor: Actor, measure: Measure) -> bool:
    return (
        actor.is_authenticated
        and measure.student_id in actor.child_ids
        and measure.awaits_acknowledgement
    )


# -- incidents ---------------------------------------------------------------------------------


def visible_incidents(actor: Actor) -> QuerySet[Incident]:
    establishment = actor.establishment
    if not actor.is_authenticated or establishment is None:
        return Incident.objects.none()
    incidents = Incident.objects.filter(establishment=establishment)
    if is_school_life(actor):
        return incidents
    if not actor.is_teacher:
        return Incident.objects.none()
    return incidents.filter(
        Q(reported_by=actor.user) | Q(pk__in=_involving(establishment, _own_students(actor)))
    )


def _involving(establishment: Any, students: Any) -> QuerySet:
    from preau.discipline.models import Involvement

    return Involvement.objects.filter(establishment=establishment, student__in=students).values(
        "incident_id"
    )


def access_incident(actor: Actor, public_id: Any) -> Incident:
    return get_or_404(visible_incidents(actor).select_related("category", "reported_by"), public_id)


def sees_every_name(actor: Actor, incident: Incident) -> bool:
    """The reporter and school life see every student involved; a teacher only theirs."""
    return incident.reported_by_id == actor.user.pk or is_school_life(actor)


def can_edit_incident(actor: Actor, incident: Incident) -> bool:
    return sees_every_name(actor, incident)


# -- students and children ---------------------------------------------------------------------


def access_record_student(actor: Actor, public_id: Any) -> Any:
    """A student whose discipline record the actor may open: school life, their teachers."""
    if not can_punish(actor):
        return get_or_404(visible_students(actor).none(), public_id)
    return get_or_404(visible_students(actor), public_id)


def access_child(actor: Actor, public_id: Any) -> Child:
    from django.http import Http404

    for child in actor.children:
        if str(child.public_id) == str(public_id):
            return child
    raise Http404
