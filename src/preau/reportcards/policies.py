"""Who may see and write which report cards.

Staff: the head and deputy heads, the CPE and the direction read every council of their
establishment (every year); a teacher the councils of the classes they teach or head, this year.
A teacher writes the comments of the subjects they teach in the class, while the council is in
draft; the head teacher (and the head) write the general comments and the council's decisions;
the head and deputy heads validate, reopen and publish.

Families: a guardian reads their children's published report cards (every year, every
establishment); a student their own. Anyone else: 404, the same answer as for a report card that
does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from preau.directory.models import Function, Subject
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
        return councils.filter(school_year=actor.school_year).filter(
            Q(school_class_id__in=actor.taught_class_ids)
            | Q(school_class__head_teacher_id=actor.user.pk)
        )
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
