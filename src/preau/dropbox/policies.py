"""Who may see and do what with drop boxes. The one place these rules live.

- A teacher opens drop boxes for the classes and groups they teach in their current
  establishment, and alone manages them: edits, closes, deletes, reads and returns the work.
- A student sees the opened drop boxes of their class and groups (and those they handed in to
  before changing class), and only their own hand-in.
- A guardian sees, read-only, each child's hand-in (status and feedback, not the files) in the
  opened drop boxes of the child's class and groups, in whichever establishment the child is.
- The head and school life (CPE) see their establishment's drop boxes and who handed in what,
  read-only, without opening the files: the work stays between the student and the teacher.
- Nobody reaches another establishment's drop boxes through their own.

``access_*`` give the object or Http404, the same for missing and forbidden.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from preau.directory.models import Enrolment, GroupMembership, SchoolClass, Subject, TeachingGroup
from preau.directory.policies import get_or_404
from preau.dropbox.models import DropBox, FileRole, Submission, SubmissionFile

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

User = get_user_model()


class Role(StrEnum):
    TEACHER = "teacher"
    STUDENT = "student"
    GUARDIAN = "guardian"
    OVERSEER = "overseer"


def _none() -> Q:
    return Q(pk__in=[])


def _opened() -> Q:
    return Q(opens_at__lte=timezone.now())


def _for_students(establishment_id: int, school_year: Any, student_ids: list[int]) -> Q:
    """Drop boxes of these students' classes and groups in one establishment (subqueries)."""
    classes = Enrolment.objects.filter(
        establishment_id=establishment_id, school_year=school_year, student_id__in=student_ids
    ).values("school_class")
    groups = GroupMembership.objects.filter(
        establishment_id=establishment_id, student_id__in=student_ids
    ).values("group")
    # A student who changed class or group keeps the drop boxes they handed in to.
    handed_in = Submission.objects.filter(
        establishment_id=establishment_id, student_id__in=student_ids
    ).values("drop_box")
    return Q(establishment_id=establishment_id, school_year=school_year) & (
        Q(school_class__in=classes) | Q(group__in=groups) | Q(pk__in=handed_in)
    )


def _student_condition(actor: Actor) -> Q:
    if not actor.is_student or actor.establishment is None:
        return _none()
    condition = Q(group_id__in=list(actor.group_ids)) | Q(
        pk__in=Submission.objects.filter(
            establishment=actor.establishment, student=actor.user
        ).values("drop_box")
    )
    if actor.enrolment is not None:
        condition |= Q(school_class_id=actor.enrolment.school_class_id)
    return (
        Q(establishment=actor.establishment, school_year=actor.school_year) & condition & _opened()
    )


def _guardian_condition(actor: Actor) -> Q:
    """Every child's opened drop boxes, each in the child's own establishment."""
    condition = _none()
    by_establishment: dict[int, list[int]] = {}
    for child in actor.children:
        for enrolment in child.enrolments:
            if enrolment.establishment.is_active:
                by_establishment.setdefault(enrolment.establishment_id, []).append(child.student.pk)
    for establishment_id, student_ids in by_establishment.items():
        condition |= _for_students(establishment_id, actor.school_year, student_ids) & _opened()
    return condition


def is_overseer(actor: Actor) -> bool:
    """Head, deputy and school life: their establishment's drop boxes, read-only."""
    return actor.establishment is not None and actor.sees_whole_establishment


# -- reading -------------------------------------------------------------------------------------


def teacher_drop_boxes(actor: Actor) -> QuerySet[DropBox]:
    """The drop boxes the actor opened in their current establishment."""
    if actor.establishment is None or not actor.is_teacher:
        return DropBox.objects.none()
    return DropBox.objects.filter(establishment=actor.establishment, teacher=actor.user)


def student_drop_boxes(actor: Actor) -> QuerySet[DropBox]:
    """The opened drop boxes of the student's class and groups."""
    return DropBox.objects.filter(_student_condition(actor))


def child_drop_boxes(actor: Actor, child: Child) -> QuerySet[DropBox]:
    """The opened drop boxes of one of the guardian's children, in the child's establishment."""
    if child.student.pk not in actor.child_ids:
        return DropBox.objects.none()
    enrolment = child.enrolments[0] if child.enrolments else None
    if enrolment is None or not enrolment.establishment.is_active:
        return DropBox.objects.none()
    return DropBox.objects.filter(
        _for_students(enrolment.establishment_id, actor.school_year, [child.student.pk]),
        _opened(),
    )


def establishment_drop_boxes(actor: Actor) -> QuerySet[DropBox]:
    """Every drop box of the establishment, for its head and school life."""
    if not is_overseer(actor):
        return DropBox.objects.none()
    return DropBox.objects.filter(establishment=actor.establishment, school_year=actor.school_year)


def access_drop_box(actor: Actor, public_id: Any) -> DropBox:
    """A drop box the actor may open in any role, or Http404."""
    condition = _student_condition(actor) | _guardian_condition(actor)
    if actor.establishment is not None:
        if actor.is_teacher:
            condition |= Q(establishment=actor.establishment, teacher=actor.user)
        if is_overseer(actor):
            condition |= Q(establishment=actor.establishment)
    boxes = DropBox.objects.filter(condition).select_related(
        "establishment", "teacher", "school_class", "group", "subject"
    )
    return get_or_404(boxes, public_id)


def role_for(actor: Actor, box: DropBox) -> Role:
    """How the actor sees a drop box they reached through access_drop_box."""
    if can_manage(actor, box):
        return Role.TEACHER
    here = actor.establishment is not None and actor.establishment.pk == box.establishment_id
    if (
        here
        and actor.is_student
        and DropBox.objects.filter(_student_condition(actor), pk=box.pk).exists()
    ):
        return Role.STUDENT
    if here and is_overseer(actor):
        return Role.OVERSEER
    return Role.GUARDIAN


def children_concerned(actor: Actor, box: DropBox) -> list[Any]:
    """The guardian's children the drop box is for (1 query)."""
    ids = list(actor.child_ids)
    if not ids:
        return []
    return list(box_students(box).filter(pk__in=ids))


def box_students(box: DropBox) -> QuerySet:
    """The students a drop box is for: its class or group now, and whoever handed in there
    (a student who changed class keeps their hand-in in the teacher's list)."""
    if box.school_class_id is not None:
        members = Q(
            pk__in=Enrolment.objects.filter(
                establishment_id=box.establishment_id,
                school_year_id=box.school_year_id,
                school_class_id=box.school_class_id,
            ).values("student")
        )
    else:
        members = Q(
            pk__in=GroupMembership.objects.filter(
                establishment_id=box.establishment_id, group_id=box.group_id
            ).values("student")
        )
    handed_in = Q(pk__in=Submission.objects.filter(drop_box=box).values("student"))
    # A closed account is listed only when it had handed in something.
    return User.objects.filter((members & Q(is_active=True)) | handed_in).order_by(
        "last_name", "first_name", "pk"
    )


def access_box_student(box: DropBox, public_id: Any) -> Any:
    """A student the drop box is for (the caller manages the drop box), or Http404."""
    return get_or_404(box_students(box), public_id)


def access_file(actor: Actor, box: DropBox, role: Role, public_id: Any) -> SubmissionFile:
    """A file of the drop box: any for its teacher, the student's own for a student."""
    files = SubmissionFile.objects.filter(submission__drop_box=box).select_related("submission")
    if role == Role.STUDENT:
        files = files.filter(submission__student=actor.user)
    elif role != Role.TEACHER:
        files = files.none()
    return get_or_404(files, public_id)


def access_own_work_file(actor: Actor, box: DropBox, public_id: Any) -> SubmissionFile:
    """One of the student's own handed-in files (not a correction), or Http404."""
    files = SubmissionFile.objects.filter(
        submission__drop_box=box, submission__student=actor.user, role=FileRole.WORK
    ).select_related("submission")
    return get_or_404(files, public_id)


# -- writing -------------------------------------------------------------------------------------


def can_open_drop_box(actor: Actor) -> bool:
    return (
        actor.establishment is not None
        and actor.is_teacher
        and bool(actor.taught_class_ids or actor.taught_group_ids)
    )


def openable_classes(actor: Actor) -> QuerySet[SchoolClass]:
    if not can_open_drop_box(actor):
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(
        establishment=actor.establishment,
        school_year=actor.school_year,
        pk__in=actor.taught_class_ids,
    ).select_related("level")


def openable_groups(actor: Actor) -> QuerySet[TeachingGroup]:
    if not can_open_drop_box(actor):
        return TeachingGroup.objects.none()
    return TeachingGroup.objects.filter(
        establishment=actor.establishment,
        school_year=actor.school_year,
        pk__in=actor.taught_group_ids,
    )


def openable_subjects(actor: Actor) -> QuerySet[Subject]:
    """The subjects the teacher teaches in the establishment."""
    if not can_open_drop_box(actor):
        return Subject.objects.none()
    ids = {a.subject_id for a in actor.teaching_assignments}
    return Subject.objects.filter(establishment=actor.establishment, pk__in=ids)


def can_manage(actor: Actor, box: DropBox) -> bool:
    """The teacher who opened it, working in its establishment."""
    return (
        actor.establishment is not None
        and actor.is_teacher
        and box.establishment_id == actor.establishment.pk
        and box.teacher_id == actor.user.pk
    )


def access_managed_drop_box(actor: Actor, public_id: Any) -> DropBox:
    """A drop box the actor opened, or Http404 (for everyone else, managing it is not there)."""
    return get_or_404(
        teacher_drop_boxes(actor).select_related(
            "establishment", "teacher", "school_class", "group", "subject"
        ),
        public_id,
    )
