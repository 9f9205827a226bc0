"""Who may take which roll call, and see and change which attendance records.

Roll call: a lesson's own teachers (or its replacement teacher) take it, from a quarter of an
hour before it starts until the end of its day; afterwards, and for any lesson of the
establishment, school life (CPE, head, deputy heads). Anyone else: 404, the same answer as for
a lesson that does not exist.

Records: school life and direction read every record of their establishment; a teacher those
of the students of the classes and groups they teach; a guardian their children's (in every
establishment); a student their own. Guardians justify their children's records; school life
decides on justifications and enters records.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from preau.attendance.models import AbsenceReason, AttendanceRecord, RecordStatus
from preau.core.actor import SCHOOL_LIFE_FUNCTIONS
from preau.directory.models import Enrolment, Establishment, GroupMembership
from preau.directory.policies import can_administer, get_or_404
from preau.timetable.generation import PARIS
from preau.timetable.models import Lesson, LessonStatus, LessonTeacher
from preau.timetable.policies import LESSON_RELATED, is_lesson_teacher

if TYPE_CHECKING:
    from preau.core.actor import Actor

EARLY = timedelta(minutes=15)


def runs_school_life(actor: Actor) -> bool:
    """CPE, head and deputy heads of the current establishment."""
    return actor.establishment is not None and bool(actor.functions & SCHOOL_LIFE_FUNCTIONS)


def reads_establishment(actor: Actor) -> bool:
    return actor.establishment is not None and (
        actor.sees_whole_establishment or actor.can_administer_establishment
    )


# -- roll calls ------------------------------------------------------------------------------------


def roll_call_lessons(actor: Actor) -> QuerySet[Lesson]:
    """The lessons whose roll call the actor may open: school life every lesson of the
    establishment; a teacher the lessons they teach or replace in."""
    establishment = actor.establishment
    if establishment is None:
        return Lesson.objects.none()
    lessons = Lesson.objects.filter(establishment=establishment, school_year=actor.school_year)
    if runs_school_life(actor):
        return lessons
    if actor.is_teacher:
        taught = LessonTeacher.objects.filter(teacher_id=actor.user.pk).values("lesson_id")
        return lessons.filter(Q(pk__in=taught) | Q(replacement_teacher_id=actor.user.pk))
    return Lesson.objects.none()


def access_roll_call_lesson(actor: Actor, public_id: Any) -> Lesson:
    return get_or_404(
        roll_call_lessons(actor).select_related(*LESSON_RELATED).prefetch_related("teachers"),
        public_id,
    )


def roll_call_refusal(actor: Actor, lesson: Lesson, now: datetime | None = None) -> str:
    """Why the actor may not save this roll call now ('' when they may)."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    if lesson.status == LessonStatus.CANCELLED:
        return _("Cette séance est annulée : il n'y a pas d'appel à faire.")
    if lesson.start - EARLY > now:
        return _("L'appel s'ouvre un quart d'heure avant le début de la séance.")
    if runs_school_life(actor) and actor.establishment.pk == lesson.establishment_id:
        return ""
    if not is_lesson_teacher(actor, lesson):
        return _("Seuls les enseignants de la séance font son appel.")
    if now.astimezone(PARIS).date() > lesson.date:
        return _(
            "L'appel se modifie jusqu'au soir de la séance ; ensuite, seule la vie scolaire "
            "peut le corriger. Adressez-vous au CPE."
        )
    return ""


# -- records ---------------------------------------------------------------------------------------


def visible_records(actor: Actor) -> QuerySet[AttendanceRecord]:
    """Every record the actor may read."""
    if not actor.is_authenticated:
        return AttendanceRecord.objects.none()
    condition = Q(pk__in=[])
    establishment = actor.establishment
    if establishment is not None:
        year = actor.school_year
        if reads_establishment(actor):
            condition |= Q(establishment=establishment, school_year=year)
        else:
            here = Q(pk__in=[])
            if actor.is_teacher:
                members = GroupMembership.objects.filter(
                    establishment=establishment, group_id__in=actor.taught_group_ids
                ).values("student_id")
                pupils = Enrolment.objects.filter(
                    school_class_id__in=actor.taught_class_ids, school_year=year
                ).values("student_id")
                here |= Q(student_id__in=pupils) | Q(student_id__in=members)
            if actor.is_student:
                here |= Q(student_id=actor.user.pk)
            condition |= Q(establishment=establishment, school_year=year) & here
    if actor.child_ids:
        condition |= Q(student_id__in=actor.child_ids, school_year=actor.school_year)
    return AttendanceRecord.objects.filter(condition)


def access_record(actor: Actor, public_id: Any) -> AttendanceRecord:
    record = get_or_404(
        visible_records(actor).select_related(
            "student", "reason", "lesson__subject", "establishment"
        ),
        public_id,
    )
    return record


def can_justify(actor: Actor, record: AttendanceRecord) -> bool:
    """A guardian of the record's student (the access check already holds)."""
    return record.student_id in actor.child_ids


def can_decide(actor: Actor, record: AttendanceRecord) -> bool:
    """School life of the record's establishment."""
    return runs_school_life(actor) and actor.establishment.pk == record.establishment_id


def is_decided(record: AttendanceRecord) -> bool:
    return record.status in (RecordStatus.JUSTIFIED, RecordStatus.REFUSED)


# -- reasons ---------------------------------------------------------------------------------------


def can_manage_reasons(actor: Actor, establishment: Establishment) -> bool:
    """The head (and those who administer the establishment) and its CPE working in it."""
    if not actor.is_authenticated:
        return False
    if can_administer(actor, establishment):
        return True
    return runs_school_life(actor) and actor.establishment.pk == establishment.pk


def managed_establishments(actor: Actor) -> QuerySet[Establishment]:
    from preau.directory.policies import administered_establishments

    if not actor.is_authenticated:
        return Establishment.objects.none()
    condition = Q(pk__in=administered_establishments(actor).values("pk"))
    if runs_school_life(actor):
        condition |= Q(pk=actor.establishment.pk)
    return Establishment.objects.filter(condition)


def access_managed_establishment(actor: Actor, public_id: Any) -> Establishment:
    return get_or_404(managed_establishments(actor), public_id)


def guardian_reasons(establishment_id: int) -> QuerySet[AbsenceReason]:
    return AbsenceReason.objects.filter(
        establishment_id=establishment_id, active=True, guardian_usable=True
    )


def staff_reasons(establishment_id: int) -> QuerySet[AbsenceReason]:
    return AbsenceReason.objects.filter(establishment_id=establishment_id, active=True)
