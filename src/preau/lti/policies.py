"""Who may register, place and launch LTI tools, and who a tool may learn about.

- Tools are registered by the establishment's administrators, or for an academy by the
  academy's administrators (as CAS services and OpenID Connect clients: core/registrations.py).
- A teacher places a tool usable in their establishment in a class or group they teach (one of
  their teaching assignments of the current establishment and year).
- A placement is launched by the teachers of its class or group (as instructors) and by its
  students (as learners); anyone else gets a 404.
- The roster a tool reads is the placement's class or group, nothing beyond it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from preau.core import registrations
from preau.directory.models import Enrolment, GroupMembership, TeachingAssignment
from preau.directory.policies import get_or_404
from preau.lti.models import LtiPlacement, LtiTool

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Establishment

INSTRUCTOR = "instructor"
LEARNER = "learner"


# -- registration (console) -----------------------------------------------------------------------


def establishment_tools(establishment: Establishment) -> QuerySet[LtiTool]:
    """The tools registered for ``establishment`` itself (the console already checked it)."""
    return LtiTool.objects.filter(establishment=establishment).order_by("name", "pk")


def academy_tools_for(establishment: Establishment) -> QuerySet[LtiTool]:
    return LtiTool.objects.filter(academy_id=establishment.academy_id).order_by("name", "pk")


def access_establishment_tool(establishment: Establishment, public_id: Any) -> LtiTool:
    return get_or_404(establishment_tools(establishment), public_id)


def managed_academy_tools(actor: Actor) -> QuerySet[LtiTool]:
    """Academy-wide tools the actor may change (academy administrators, superusers)."""
    return registrations.managed_by_academy_administrator(LtiTool.objects.all(), actor)


def access_academy_tool(actor: Actor, public_id: Any) -> LtiTool:
    return get_or_404(managed_academy_tools(actor), public_id)


# -- placing ----------------------------------------------------------------------------------


def usable_tools(actor: Actor) -> QuerySet[LtiTool]:
    """Active tools a teacher may place in the current establishment."""
    if actor.establishment is None or not actor.is_teacher:
        return LtiTool.objects.none()
    return registrations.serving(LtiTool.objects.filter(is_active=True), actor.establishment)


def access_usable_tool(actor: Actor, public_id: Any) -> LtiTool:
    return get_or_404(usable_tools(actor), public_id)


def own_assignments(actor: Actor) -> list[TeachingAssignment]:
    """The teaching assignments the actor may place tools in (current establishment, year)."""
    return list(actor.teaching_assignments) if actor.is_teacher else []


def access_own_assignment(actor: Actor, public_id: Any) -> TeachingAssignment:
    for assignment in own_assignments(actor):
        if str(assignment.public_id) == str(public_id):
            return assignment
    from django.http import Http404

    raise Http404


# -- launching ----------------------------------------------------------------------------------


def visible_placements(actor: Actor) -> QuerySet[LtiPlacement]:
    """Placements of active tools in the classes and groups the actor teaches or learns in."""
    establishment = actor.establishment
    if establishment is None:
        return LtiPlacement.objects.none()
    condition = Q(pk__in=[])
    if actor.is_teacher:
        condition |= Q(assignment__school_class_id__in=actor.taught_class_ids)
        condition |= Q(assignment__group_id__in=actor.taught_group_ids)
    if actor.is_student:
        if actor.enrolment is not None:
            condition |= Q(assignment__school_class_id=actor.enrolment.school_class_id)
        condition |= Q(assignment__group_id__in=actor.group_ids)
    return (
        LtiPlacement.objects.filter(
            condition,
            establishment=establishment,
            assignment__school_year=actor.school_year,
            tool__is_active=True,
        )
        .select_related(
            "tool", "assignment__school_class", "assignment__group", "assignment__subject"
        )
        .order_by("title", "pk")
    )


def access_placement(actor: Actor, public_id: Any) -> LtiPlacement:
    return get_or_404(visible_placements(actor), public_id)


def role_in(actor: Actor, placement: LtiPlacement) -> str:
    assignment = placement.assignment
    if actor.is_teacher and (
        assignment.school_class_id in actor.taught_class_ids
        or assignment.group_id in actor.taught_group_ids
    ):
        return INSTRUCTOR
    return LEARNER


def can_manage_placement(actor: Actor, placement: LtiPlacement) -> bool:
    """The teacher who placed it, through their own teaching assignment."""
    return any(a.pk == placement.assignment_id for a in own_assignments(actor))


# -- the roster a tool reads ---------------------------------------------------------------------


def roster_students(placement: LtiPlacement) -> list[Any]:
    """The active students of the placement's class or group this school year (one query)."""
    from django.contrib.auth import get_user_model

    assignment = placement.assignment
    if assignment.school_class_id is not None:
        members = Enrolment.objects.filter(
            school_class_id=assignment.school_class_id, school_year_id=assignment.school_year_id
        ).values("student_id")
    else:
        members = GroupMembership.objects.filter(group_id=assignment.group_id).values("student_id")
    return list(
        get_user_model()
        .objects.filter(pk__in=members, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


def roster_teachers(placement: LtiPlacement) -> list[Any]:
    """The teachers of the placement's class or group this school year (one query)."""
    from django.contrib.auth import get_user_model

    assignment = placement.assignment
    if assignment.school_class_id is not None:
        taught = Q(school_class_id=assignment.school_class_id)
    else:
        taught = Q(group_id=assignment.group_id)
    teachers = TeachingAssignment.objects.filter(
        taught, school_year_id=assignment.school_year_id
    ).values("teacher_id")
    return list(
        get_user_model()
        .objects.filter(pk__in=teachers, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )
