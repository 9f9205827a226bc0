"""Who may see and change which assessments and marks. The one place these rules live.

- A teacher enters and reads the marks of the subjects they teach to a class or a group
  (directory.TeachingAssignment): the subject and the class (or group) must both match.
- A class's head teacher reads every assessment of the class (and the averages table).
- The head, deputies, the CPE and the direction read every assessment of the establishment.
- A student reads their own marks, a guardian their children's (in any establishment), and
  only once published (``publish_at`` passed).

Everything else answers 404, the same as for a thing that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from preau.directory.models import Establishment, SchoolClass
from preau.directory.policies import can_administer, get_or_404
from preau.grades.models import Assessment, Mark

if TYPE_CHECKING:
    from preau.core.actor import Actor


def reads_establishment(actor: Actor) -> bool:
    """Direction and school life of the current establishment read all of its grades."""
    return actor.establishment is not None and (
        actor.sees_whole_establishment or actor.can_administer_establishment
    )


def _taught(actor: Actor) -> Q:
    """Assessments of a subject the actor teaches to that class or that group."""
    condition = Q(pk__in=[])
    for assignment in actor.teaching_assignments:
        if assignment.school_class_id:
            condition |= Q(
                subject_id=assignment.subject_id, school_class_id=assignment.school_class_id
            )
        else:
            condition |= Q(subject_id=assignment.subject_id, group_id=assignment.group_id)
    return condition


def teaches(
    actor: Actor, subject_id: int, school_class_id: int | None, group_id: int | None
) -> bool:
    """Whether the actor teaches this subject to this class (or group) this year."""
    return any(
        a.subject_id == subject_id
        and a.school_class_id == school_class_id
        and a.group_id == group_id
        for a in actor.teaching_assignments
    )


def _here(actor: Actor) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        establishment=actor.establishment, school_year=actor.school_year
    )


def staff_assessments(actor: Actor) -> QuerySet[Assessment]:
    """Assessments whose marks the actor reads as staff (every mark, published or not)."""
    if not actor.is_authenticated or actor.establishment is None:
        return Assessment.objects.none()
    if reads_establishment(actor):
        return _here(actor)
    if not actor.is_staff_member:
        return Assessment.objects.none()
    return _here(actor).filter(_taught(actor) | Q(school_class__head_teacher_id=actor.user.pk))


def editable_assessments(actor: Actor) -> QuerySet[Assessment]:
    """Assessments whose marks the actor enters: those of the subjects and classes they teach."""
    if not actor.is_authenticated or actor.establishment is None or not actor.is_teacher:
        return Assessment.objects.none()
    return _here(actor).filter(_taught(actor))


ASSESSMENT_RELATED = ("subject", "school_class__level", "group", "period", "teacher")


def access_assessment(actor: Actor, public_id: Any) -> Assessment:
    return get_or_404(staff_assessments(actor).select_related(*ASSESSMENT_RELATED), public_id)


def access_editable_assessment(actor: Actor, public_id: Any) -> Assessment:
    return get_or_404(editable_assessments(actor).select_related(*ASSESSMENT_RELATED), public_id)


def can_edit(actor: Actor, assessment: Assessment) -> bool:
    return (
        actor.establishment is not None
        and actor.establishment.pk == assessment.establishment_id
        and actor.is_teacher
        and teaches(actor, assessment.subject_id, assessment.school_class_id, assessment.group_id)
    )


def published(now: datetime | None = None) -> Q:
    """Marks of assessments published by ``now`` (a condition on marks)."""
    return Q(assessment__publish_at__lte=now or timezone.now(), assessment__graded=True)


def visible_marks(actor: Actor, now: datetime | None = None) -> QuerySet[Mark]:
    """Every mark the actor may read: as staff, and their own or their children's published."""
    if not actor.is_authenticated:
        return Mark.objects.none()
    condition = Q(pk__in=[])
    if actor.establishment is not None and actor.is_staff_member:
        condition |= Q(assessment__in=staff_assessments(actor))
    family = Q(pk__in=[])
    if actor.is_student:
        family |= Q(student_id=actor.user.pk)
    if actor.child_ids:
        family |= Q(student_id__in=actor.child_ids)
    condition |= family & published(now) & Q(assessment__school_year=actor.school_year)
    return Mark.objects.filter(condition)


def reads_student_marks(actor: Actor, student: Any) -> bool:
    """Whether the page of ``student``'s marks is the actor's to read as family."""
    return student.pk == actor.user.pk or student.pk in actor.child_ids


# -- classes -------------------------------------------------------------------------------------


def averages_classes(actor: Actor) -> QuerySet[SchoolClass]:
    """Classes whose averages table the actor reads: their head teacher, and the direction and
    school life of the establishment."""
    if not actor.is_authenticated or actor.establishment is None:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(
        establishment=actor.establishment, school_year=actor.school_year
    )
    if reads_establishment(actor):
        return classes
    return classes.filter(head_teacher_id=actor.user.pk)


def access_averages_class(actor: Actor, public_id: Any) -> SchoolClass:
    return get_or_404(averages_classes(actor).select_related("level", "head_teacher"), public_id)


def can_manage_settings(actor: Actor, establishment: Establishment) -> bool:
    """The head (and whoever administers the establishment) sets the publication rule and the
    subjects' coefficients."""
    return actor.is_authenticated and can_administer(actor, establishment)
