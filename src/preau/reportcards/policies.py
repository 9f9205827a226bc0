"""Who may see and write which report cards.

Staff: the head and deputy heads, the CPE and the direction read every council of their
establishment (every year); a teacher the councils of the classes they teach or head, this year.
A teacher writes the comments of the subjects they teach in the class, while the council is in
draft; a teacher of a group (an option, a half-class, drawn from one class or several) is one of
the teachers of every class with students in the group and writes, in each such council, the
group's subject for those students; the head teacher (and the head) write the general comments
and the council's decisions; the head and deputy heads validate, reopen and publish.

Families: a guardian reads their children's published report cards (every year, every
establishment); a student their own. Anyone else: 404, the same answer as for a report card that
does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from preau.directory.models import (
    Enrolment,
    Function,
    GroupMembership,
    Subject,
    TeachingAssignment,
    TeachingGroup,
)
from preau.directory.policies import get_or_404
from preau.reportcards.models import ClassCouncil, CouncilState, ReportCard

if TYPE_CHECKING:
    from preau.core.actor import Actor

DIRECTION_FUNCTIONS = frozenset({Function.HEAD, Function.DEPUTY_HEAD})
COUNCIL_RELATED = (
    "period",
    "school_year",
    "school_class__level",
    "school_class__head_teacher",
    "establishment__academy",
)


def reads_establishment(actor: Actor) -> bool:
    """Direction and school life of the current establishment."""
    return actor.establishment is not None and (
        actor.sees_whole_establishment or actor.can_administer_establishment
    )


def directs(actor: Actor) -> bool:
    """The head or a deputy head of the current establishment."""
    return actor.establishment is not None and bool(actor.functions & DIRECTION_FUNCTIONS)


# -- councils --------------------------------------------------------------------------------------


def visible_councils(actor: Actor) -> QuerySet[ClassCouncil]:
    """The councils whose report cards the actor works on or reads as staff."""
    establishment = actor.establishment
    if establishment is None:
        return ClassCouncil.objects.none()
    councils = ClassCouncil.objects.filter(establishment=establishment)
    if reads_establishment(actor):
        return councils
    if actor.is_teacher:
        condition = Q(school_class_id__in=actor.taught_class_ids) | Q(
            school_class__head_teacher_id=actor.user.pk
        )
        if actor.taught_group_ids:
            # The classes of the students of the actor's groups (a subquery, no query more).
            condition |= Q(
                school_class_id__in=Enrolment.objects.filter(
                    school_year=actor.school_year,
                    student_id__in=GroupMembership.objects.filter(
                        group_id__in=actor.taught_group_ids
                    ).values("student_id"),
                ).values("school_class_id")
            )
        return councils.filter(school_year=actor.school_year).filter(condition)
    return ClassCouncil.objects.none()


def access_council(actor: Actor, public_id: Any) -> ClassCouncil:
    return get_or_404(visible_councils(actor).select_related(*COUNCIL_RELATED), public_id)


def taught_subject_ids(actor: Actor, council: ClassCouncil) -> set[int]:
    """The subjects the actor teaches to the council's class (their comment grids)."""
    if council.school_year_id != actor.school_year.pk:
        return set()
    return {
        a.subject_id
        for a in actor.teaching_assignments
        if a.school_class_id == council.school_class_id
    }


def access_council_subject(actor: Actor, council: ClassCouncil, public_id: Any) -> Subject:
    """A subject's comment grid: its teachers in the class, and direction and school life
    (who read it)."""
    subjects = Subject.objects.filter(establishment_id=council.establishment_id)
    if not reads_establishment(actor):
        subjects = subjects.filter(pk__in=taught_subject_ids(actor, council))
    return get_or_404(subjects, public_id)


def can_write_subject(actor: Actor, council: ClassCouncil, subject: Subject) -> bool:
    return council.is_draft and subject.pk in taught_subject_ids(actor, council)


def taught_group_subjects(actor: Actor, council: ClassCouncil) -> set[tuple[int, int]]:
    """The (group, subject) pairs the actor teaches this year (their group grids, in the
    councils of the classes with students in the group)."""
    if council.school_year_id != actor.school_year.pk:
        return set()
    return {(a.group_id, a.subject_id) for a in actor.teaching_assignments if a.group_id}


def group_assignments(council: ClassCouncil) -> QuerySet[TeachingAssignment]:
    """The group services that give the council's class a group grid: a group with students in
    the class, for a subject not taught to the class as a whole (whose teachers write it)."""
    return TeachingAssignment.objects.filter(
        school_year_id=council.school_year_id,
        establishment_id=council.establishment_id,
        group__isnull=False,
        group_id__in=GroupMembership.objects.filter(
            student_id__in=Enrolment.objects.filter(
                school_class_id=council.school_class_id, school_year_id=council.school_year_id
            ).values("student_id")
        ).values("group_id"),
    ).exclude(
        Exists(
            TeachingAssignment.objects.filter(
                school_class_id=council.school_class_id,
                school_year_id=council.school_year_id,
                subject_id=OuterRef("subject_id"),
            )
        )
    )


def access_council_group(
    actor: Actor, council: ClassCouncil, group_id: Any, subject_id: Any
) -> tuple[TeachingGroup, Subject]:
    """A group's comment grid in a council (1 query): its teachers, and direction and school
    life (who read it). A group without students in the class, or whose subject the class has
    as a whole, is not found."""
    assignments = group_assignments(council).filter(
        group__public_id=group_id, subject__public_id=subject_id
    )
    if not reads_establishment(actor):
        assignments = assignments.filter(teacher_id=actor.user.pk)
    found = assignments.select_related("group", "subject").first()
    if found is None:
        raise Http404
    return found.group, found.subject


def can_write_group(
    actor: Actor, council: ClassCouncil, group: TeachingGroup, subject: Subject
) -> bool:
    """The group's teachers of the subject, while the council is in draft (the caller found the
    group through ``access_council_group``)."""
    return council.is_draft and (group.pk, subject.pk) in taught_group_subjects(actor, council)


def is_head_teacher(actor: Actor, council: ClassCouncil) -> bool:
    return (
        actor.is_authenticated
        and council.school_class.head_teacher_id == actor.user.pk
        and council.school_year_id == actor.school_year.pk
    )


def can_read_general(actor: Actor, council: ClassCouncil) -> bool:
    return is_head_teacher(actor, council) or reads_establishment(actor)


def can_write_general(actor: Actor, council: ClassCouncil) -> bool:
    """The head teacher and the direction, while the council is in draft."""
    return council.is_draft and (is_head_teacher(actor, council) or directs(actor))


def can_decide(actor: Actor, council: ClassCouncil) -> bool:
    """Validate, reopen, publish: the head and deputy heads of the council's establishment."""
    return directs(actor) and actor.establishment.pk == council.establishment_id


# -- report cards ----------------------------------------------------------------------------------


def visible_cards(actor: Actor) -> QuerySet[ReportCard]:
    """Every report card the actor may read: as staff (any state) or as family (published)."""
    if not actor.is_authenticated:
        return ReportCard.objects.none()
    published = Q(council__state=CouncilState.PUBLISHED)
    condition = Q(student_id=actor.user.pk) & published
    if actor.child_ids:
        condition |= Q(student_id__in=actor.child_ids) & published
    if actor.establishment is not None and (reads_establishment(actor) or actor.is_teacher):
        condition |= Q(council__in=visible_councils(actor))
    return ReportCard.objects.filter(condition)


def access_card(actor: Actor, public_id: Any) -> ReportCard:
    return get_or_404(
        visible_cards(actor).select_related(
            "student", *(f"council__{name}" for name in COUNCIL_RELATED)
        ),
        public_id,
    )


def family_cards(student_id: int) -> QuerySet[ReportCard]:
    """A student's published report cards of every year, newest first (the caller checked that
    the actor is the student or their guardian)."""
    return (
        ReportCard.objects.filter(student_id=student_id, council__state=CouncilState.PUBLISHED)
        .select_related("council__period", "council__school_class", "council__school_year")
        .select_related("establishment")
        .order_by("-council__period__end_date", "-pk")
    )


def is_family_reader(actor: Actor, card: ReportCard) -> bool:
    return card.student_id == actor.user.pk or card.student_id in actor.child_ids
