"""Who may read and write which logbook entries and homework. The one place these rules live.

Reading follows the timetable (timetable/policies.py): whoever may read a lesson reads its
entry and its homework. Writing: the lesson's teachers and its replacement teacher, in the
current establishment and school year; anybody else gets a 404, as for a missing lesson.
A class's logbook pages (by class, workload) are for its teachers and for direction and school
life; the visa for the head and the deputy heads. A student's done marks are read by the student
and their guardians only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from preau.directory.models import Function, SchoolClass
from preau.directory.policies import get_or_404
from preau.logbook.models import Attachment, Entry, Homework
from preau.timetable.models import Lesson, LessonStatus, LessonTeacher
from preau.timetable.policies import (
    LESSON_RELATED,
    Timetable,
    child_timetable,
    own_timetable,
    visible_lessons,
)

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

REVIEW_FUNCTIONS = frozenset({Function.HEAD, Function.DEPUTY_HEAD})


def _taught_by(user_id: int) -> Q:
    return Q(pk__in=LessonTeacher.objects.filter(teacher_id=user_id).values("lesson_id")) | Q(
        replacement_teacher_id=user_id
    )


def reader_timetable(actor: Actor, child: Child | None) -> Timetable | None:
    """Whose logbook a student or a guardian reads: their own class's, or the child's."""
    if child is not None:
        return child_timetable(actor, child)
    if actor.is_student:
        return own_timetable(actor)
    return None


def timetable_lessons(timetable: Timetable) -> QuerySet[Lesson]:
    return Lesson.objects.filter(timetable.condition())


# -- reading ---------------------------------------------------------------------------------------


def visible_entries(actor: Actor) -> QuerySet[Entry]:
    return Entry.objects.filter(lesson__in=visible_lessons(actor))


def visible_homework(actor: Actor) -> QuerySet[Homework]:
    return Homework.objects.filter(lesson__in=visible_lessons(actor))


def access_homework(actor: Actor, public_id: Any) -> Homework:
    return get_or_404(
        visible_homework(actor).select_related("subject", "lesson", "school_class", "group"),
        public_id,
    )


def access_own_homework(actor: Actor, public_id: Any) -> Homework:
    """A homework of the student's own class or groups, for their « fait » mark."""
    timetable = own_timetable(actor) if actor.is_student else None
    if timetable is None:
        return get_or_404(Homework.objects.none(), public_id)
    return get_or_404(Homework.objects.filter(lesson__in=timetable_lessons(timetable)), public_id)


def access_attachment(actor: Actor, public_id: Any) -> Attachment:
    lessons = visible_lessons(actor)
    return get_or_404(
        Attachment.objects.filter(Q(entry__lesson__in=lessons) | Q(homework__lesson__in=lessons)),
        public_id,
    )


# -- writing ---------------------------------------------------------------------------------------


def writable_lessons(actor: Actor) -> QuerySet[Lesson]:
    """The lessons whose logbook the actor writes: those they teach or replace in."""
    if actor.establishment is None or not actor.is_teacher:
        return Lesson.objects.none()
    return Lesson.objects.filter(
        _taught_by(actor.user.pk),
        establishment=actor.establishment,
        school_year=actor.school_year,
    )


def access_writable_lesson(actor: Actor, public_id: Any) -> Lesson:
    return get_or_404(
        writable_lessons(actor).select_related(*LESSON_RELATED).prefetch_related("teachers"),
        public_id,
    )


def access_writable_homework(actor: Actor, lesson: Lesson, public_id: Any) -> Homework:
    """A homework of a lesson already reached through ``access_writable_lesson``."""
    return get_or_404(
        Homework.objects.filter(lesson=lesson).select_related("due_lesson", "drop_box"),
        public_id,
    )


DUE_LESSONS_AHEAD = timedelta(weeks=6)


def due_lessons(lesson: Lesson) -> QuerySet[Lesson]:
    """The lessons a homework may be due for: the same class or group and subject, on a later
    day within six weeks (further ahead, the teacher gives a date)."""
    audience = (
        Q(school_class_id=lesson.school_class_id)
        if lesson.school_class_id
        else Q(group_id=lesson.group_id)
    )
    return (
        Lesson.objects.filter(
            audience,
            establishment_id=lesson.establishment_id,
            subject_id=lesson.subject_id,
            date__gt=lesson.date,
            date__lte=lesson.date + DUE_LESSONS_AHEAD,
        )
        .exclude(status=LessonStatus.CANCELLED)
        .select_related("subject")
        .order_by("start", "id")
    )


def copy_sources(actor: Actor, target: Lesson) -> QuerySet[Entry]:
    """Entries the actor may copy into ``target``: of lessons they taught in another class or
    group this year, or in any class in a previous school year (same establishment)."""
    if actor.establishment is None or not actor.is_teacher:
        return Entry.objects.none()
    taught = Lesson.objects.filter(_taught_by(actor.user.pk), establishment=actor.establishment)
    same_audience = Q(
        lesson__school_class_id=target.school_class_id, lesson__group_id=target.group_id
    )
    return (
        Entry.objects.filter(lesson__in=taught)
        .exclude(Q(school_year_id=target.school_year_id) & same_audience)
        .exclude(lesson=target)
    )


def access_copy_source(actor: Actor, target: Lesson, public_id: Any) -> Entry:
    return get_or_404(copy_sources(actor, target).select_related("lesson"), public_id)


def teacher_drop_boxes(actor: Actor, lesson: Lesson) -> QuerySet[Any]:
    """The teacher's own drop boxes for the lesson's class or group, to link a hand-in."""
    from preau.dropbox.models import DropBox

    if actor.establishment is None:
        return DropBox.objects.none()
    return DropBox.objects.filter(
        establishment=actor.establishment,
        school_year=actor.school_year,
        teacher=actor.user,
        school_class_id=lesson.school_class_id,
        group_id=lesson.group_id,
    ).order_by("-deadline")


# -- classes: the logbook by class, workload, visa --------------------------------------------


def can_review(actor: Actor) -> bool:
    """The head and the deputy heads sign (« visent ») logbooks."""
    return actor.establishment is not None and bool(actor.functions & REVIEW_FUNCTIONS)


def logbook_classes(actor: Actor) -> QuerySet[SchoolClass]:
    """The classes whose logbook and workload the actor reads as staff."""
    establishment = actor.establishment
    if establishment is None:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(establishment=establishment, school_year=actor.school_year)
    if actor.sees_whole_establishment or actor.can_administer_establishment:
        return classes
    if actor.is_teacher:
        return classes.filter(pk__in=actor.taught_class_ids)
    return SchoolClass.objects.none()


def access_logbook_class(actor: Actor, public_id: Any) -> SchoolClass:
    return get_or_404(logbook_classes(actor).select_related("level"), public_id)


def access_reviewable_class(actor: Actor, public_id: Any) -> SchoolClass:
    if not can_review(actor):
        return get_or_404(SchoolClass.objects.none(), public_id)
    return access_logbook_class(actor, public_id)


def access_settings_establishment(actor: Actor, public_id: Any) -> Any:
    """The establishment whose thresholds the actor sets (its administration console)."""
    from preau.directory.policies import administered_establishments

    return get_or_404(administered_establishments(actor), public_id)
