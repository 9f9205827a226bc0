"""Who may see and change which lessons and courses. The one place these rules live.

Reading lessons: a teacher reads the lessons they teach (or replace in) and every lesson of the
classes and groups they teach; a student those of their class and groups; a guardian those of
their children (in every establishment of their children); direction and school life (head,
deputy heads, CPE, National_DIR / National_EVS profiles) every lesson of their establishment.

Changing lessons: head, deputy heads and CPE of the lesson's establishment make every change
(cancel, move, room, replacement teacher, extra lesson). A teacher of a lesson changes its room
and its note only: cancelling or moving a lesson concerns replacements, rooms and the school
life office, so it goes through them. Courses, the school calendar and imports: head, deputy
heads and CPE. Another establishment's lessons do not exist for anyone else (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from preau.core.actor import SCHOOL_LIFE_FUNCTIONS
from preau.directory.models import GroupMembership
from preau.directory.policies import get_or_404
from preau.timetable.generation import PARIS
from preau.timetable.models import Course, Lesson, LessonStatus, LessonTeacher

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

LESSON_RELATED = ("subject", "school_class", "group", "replacement_teacher", "establishment")


def manages_timetable(actor: Actor) -> bool:
    """Head, deputy heads and CPE of the current establishment."""
    return actor.establishment is not None and bool(actor.functions & SCHOOL_LIFE_FUNCTIONS)


def _reads_whole_establishment(actor: Actor) -> bool:
    return actor.sees_whole_establishment or actor.can_administer_establishment


def _taught_by(user_id: int) -> Q:
    return Q(pk__in=LessonTeacher.objects.filter(teacher_id=user_id).values("lesson_id")) | Q(
        replacement_teacher_id=user_id
    )


def _child_condition(child: Child) -> Q:
    """A child's lessons: their class and groups, in each establishment they are enrolled in."""
    condition = Q(pk__in=[])
    for enrolment in child.enrolments:
        if not enrolment.establishment.is_active:
            continue
        groups = GroupMembership.objects.filter(
            establishment_id=enrolment.establishment_id, student_id=child.student.pk
        ).values("group_id")
        condition |= Q(establishment_id=enrolment.establishment_id) & (
            Q(school_class_id=enrolment.school_class_id) | Q(group_id__in=groups)
        )
    return condition


def visible_lessons(actor: Actor) -> QuerySet[Lesson]:
    """Every lesson the actor may read (the current school year)."""
    establishment = actor.establishment
    if establishment is None:
        return Lesson.objects.none()
    year = actor.school_year
    if _reads_whole_establishment(actor):
        here = Q(establishment=establishment)
    else:
        here = Q(pk__in=[])
        if actor.is_teacher:
            here |= (
                _taught_by(actor.user.pk)
                | Q(school_class_id__in=actor.taught_class_ids)
                | Q(group_id__in=actor.taught_group_ids)
            )
        if actor.is_student and actor.enrolment is not None:
            here |= Q(school_class_id=actor.enrolment.school_class_id) | Q(
                group_id__in=actor.group_ids
            )
        here &= Q(establishment=establishment)
    condition = here
    if actor.is_guardian or actor.children:
        for child in actor.children:
            condition |= _child_condition(child)
    return Lesson.objects.filter(condition, school_year=year)


def access_lesson(actor: Actor, public_id: Any) -> Lesson:
    """One lesson the actor may read, or Http404."""
    return get_or_404(
        visible_lessons(actor).select_related(*LESSON_RELATED).prefetch_related("teachers"),
        public_id,
    )


def is_lesson_teacher(actor: Actor | Any, lesson: Lesson) -> bool:
    """Whether the person (an actor or a user) teaches this lesson or replaces its teacher.
    Reads ``lesson.teachers`` (prefetched by the selectors)."""
    user = getattr(actor, "user", actor)
    if lesson.replacement_teacher_id == user.pk:
        return True
    return any(teacher.pk == user.pk for teacher in lesson.teachers.all())


def can_change_lesson(actor: Actor, lesson: Lesson) -> bool:
    """Every change of the lesson: cancel, move, room, replacement (school life, direction)."""
    return manages_timetable(actor) and actor.establishment.pk == lesson.establishment_id


def can_change_room(actor: Actor, lesson: Lesson) -> bool:
    """The room and the note: also the lesson's own teachers."""
    if can_change_lesson(actor, lesson):
        return True
    return (
        actor.establishment is not None
        and actor.establishment.pk == lesson.establishment_id
        and actor.is_teacher
        and is_lesson_teacher(actor, lesson)
    )


def changeable_lessons(actor: Actor) -> QuerySet[Lesson]:
    """The lessons the actor may change at all (room at least): 404 for the others."""
    establishment = actor.establishment
    if establishment is None:
        return Lesson.objects.none()
    lessons = Lesson.objects.filter(establishment=establishment, school_year=actor.school_year)
    if manages_timetable(actor):
        return lessons
    if actor.is_teacher:
        return lessons.filter(_taught_by(actor.user.pk))
    return Lesson.objects.none()


def access_changeable_lesson(actor: Actor, public_id: Any) -> Lesson:
    return get_or_404(
        changeable_lessons(actor).select_related(*LESSON_RELATED).prefetch_related("teachers"),
        public_id,
    )


# -- courses -------------------------------------------------------------------------------------


def managed_courses(actor: Actor) -> QuerySet[Course]:
    """The courses the actor manages: every course of the establishment, for school life."""
    if not manages_timetable(actor):
        return Course.objects.none()
    return Course.objects.filter(establishment=actor.establishment, school_year=actor.school_year)


def access_course(actor: Actor, public_id: Any) -> Course:
    return get_or_404(
        managed_courses(actor)
        .select_related("subject", "school_class", "group", "school_year", "establishment")
        .prefetch_related("teachers"),
        public_id,
    )


# -- whose timetable -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timetable:
    """Whose lessons a view shows: a teacher's (``teacher_id``), or a class's and groups'.

    Built only through the functions below, each of which checks the actor may read it.
    ``group_ids`` may be a list or a subquery (a child's groups, read inside the lessons' query).
    """

    establishment_ids: tuple[int, ...]
    class_ids: tuple[int, ...] = ()
    group_ids: Any = ()
    teacher_id: int | None = None
    label: str = ""
    extra: Q = field(default_factory=lambda: Q(pk__in=[]))

    def condition(self) -> Q:
        condition = self.extra
        if self.teacher_id is not None:
            condition |= _taught_by(self.teacher_id)
        if self.class_ids:
            condition |= Q(school_class_id__in=self.class_ids)
        condition |= Q(group_id__in=self.group_ids)
        return Q(establishment_id__in=self.establishment_ids) & condition


def own_timetable(actor: Actor) -> Timetable | None:
    """The actor's own lessons: a teacher's, or a student's class and groups."""
    establishment = actor.establishment
    if establishment is None:
        return None
    if actor.is_teacher:
        return Timetable((establishment.pk,), teacher_id=actor.user.pk)
    if actor.is_student and actor.enrolment is not None:
        return Timetable(
            (establishment.pk,),
            class_ids=(actor.enrolment.school_class_id,),
            group_ids=tuple(actor.group_ids),
        )
    return None


def child_timetable(actor: Actor, child: Child) -> Timetable | None:
    """A guardian's child's lessons, in every establishment the child is enrolled in."""
    if child.student.pk not in actor.child_ids:
        return None
    enrolments = [e for e in child.enrolments if e.establishment.is_active]
    if not enrolments:
        return None
    return Timetable(
        tuple(e.establishment_id for e in enrolments),
        extra=_child_condition(child),
    )


def class_timetable(actor: Actor, school_class: Any) -> Timetable:
    """A class's lessons (``school_class`` already reached through directory policies)."""
    return Timetable((school_class.establishment_id,), class_ids=(school_class.pk,))


def teacher_timetable(actor: Actor, teacher: Any) -> Timetable | None:
    """Another teacher's lessons, for direction and school life only."""
    if not manages_timetable(actor):
        return None
    return Timetable((actor.establishment.pk,), teacher_id=teacher.pk)


def lessons_between(
    who: Actor | Timetable, start: datetime | date, end: datetime | date
) -> list[Lesson]:
    """The lessons of an actor (their own timetable) or of a ``Timetable`` that start in
    [start, end), by start, with subject, class, group, replacement and teachers: 2 queries
    whatever the range holds (the lessons, their teachers). Dates mean Paris days, ``end``
    excluded. Cancelled lessons are included (views mark them)."""
    timetable = who if isinstance(who, Timetable) else own_timetable(who)
    if timetable is None:
        return []
    if not isinstance(start, datetime):
        start = paris_midnight(start)
    if not isinstance(end, datetime):
        end = paris_midnight(end)
    return list(
        Lesson.objects.filter(timetable.condition(), start__gte=start, start__lt=end)
        .select_related(*LESSON_RELATED)
        .prefetch_related("teachers")
        .order_by("start", "id")
    )


def paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS)


def teacher_lessons(actor: Actor, day: date) -> list[Lesson]:
    """The actor's own lessons (as a teacher) on a Paris day, cancelled ones included."""
    if not actor.is_teacher or actor.establishment is None:
        return []
    timetable = Timetable((actor.establishment.pk,), teacher_id=actor.user.pk)
    return lessons_between(timetable, day, day + timedelta(days=1))


def current_lesson(
    teacher: Any,
    now: datetime | None = None,
    *,
    establishment: Any = None,
    early: timedelta = timedelta(minutes=15),
) -> Lesson | None:
    """The lesson ``teacher`` (a user) gives now — or that starts within ``early`` — for the
    roll call screen; never a cancelled one (1 query + teachers)."""
    now = now or timezone.now()
    lessons = Lesson.objects.filter(
        _taught_by(teacher.pk), start__lte=now + early, end__gt=now
    ).exclude(status=LessonStatus.CANCELLED)
    if establishment is not None:
        lessons = lessons.filter(establishment=establishment)
    return (
        lessons.select_related(*LESSON_RELATED)
        .prefetch_related("teachers")
        .order_by("start", "id")
        .first()
    )


def access_managed_establishment(actor: Actor, public_id: Any) -> Any:
    """The establishment whose timetable console the actor may use (their current one), or
    Http404."""
    if not manages_timetable(actor) or str(actor.establishment.public_id) != str(public_id):
        raise Http404
    return actor.establishment


def lesson_students(lesson: Lesson) -> QuerySet:
    """The students a lesson is for (its class's, for the lesson's school year, or its group's),
    active, by name: one query when evaluated (the roll call's list)."""
    from django.contrib.auth import get_user_model

    from preau.directory.models import Enrolment

    if lesson.school_class_id:
        ids = Enrolment.objects.filter(
            school_class_id=lesson.school_class_id, school_year_id=lesson.school_year_id
        ).values("student_id")
    else:
        ids = GroupMembership.objects.filter(group_id=lesson.group_id).values("student_id")
    return (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )
