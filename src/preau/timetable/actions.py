"""Every change of the timetable: courses, the school calendar, lesson changes, imports.

One transaction each; courses and lesson changes are audited; the people concerned by a lesson
change are notified once the transaction commits (notifications.actions.notify).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from preau.audit.actions import record, snapshot
from preau.timetable.generation import delete_free_lessons, sync_lessons
from preau.timetable.models import Course, CourseTeacher, Lesson

COURSE_FIELDS = [
    "school_class",
    "group",
    "subject",
    "room",
    "weekday",
    "start_time",
    "end_time",
    "weeks",
    "valid_from",
    "valid_until",
]


def _course_snapshot(course: Course, teachers: list[Any]) -> dict[str, Any]:
    values = snapshot(course, COURSE_FIELDS)
    values["teachers"] = sorted(str(t) for t in teachers)
    return values


@transaction.atomic
def do_create_course(
    *,
    actor: Any,
    establishment: Any,
    school_year: Any,
    subject: Any,
    teachers: list[Any],
    weekday: int,
    start_time: time,
    end_time: time,
    school_class: Any = None,
    group: Any = None,
    room: str = "",
    weeks: str = "every",
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Course:
    """A new weekly course, and its lessons for the whole school year."""
    course = Course.objects.create(
        establishment=establishment,
        school_year=school_year,
        school_class=school_class,
        group=group,
        subject=subject,
        room=room,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        weeks=weeks,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    CourseTeacher.objects.bulk_create(
        [CourseTeacher(establishment=establishment, course=course, teacher=t) for t in teachers]
    )
    sync_lessons([course])
    record(
        actor=actor,
        establishment=establishment,
        action="timetable.course_created",
        target=course,
        after=_course_snapshot(course, teachers),
    )
    return course


@transaction.atomic
def do_update_course(
    *,
    actor: Any,
    course: Course,
    teachers: list[Any] | None = None,
    since: date | None = None,
    **changes: Any,
) -> dict[str, int]:
    """Change a course; its lessons from ``since`` (today by default) follow, in place."""
    unknown = set(changes) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"Not course fields: {sorted(unknown)}")
    old_teachers = list(course.teachers.all())
    before = _course_snapshot(course, old_teachers)
    for name, value in changes.items():
        setattr(course, name, value)
    course.save(update_fields=[*changes, "updated_at"])
    if teachers is not None:
        CourseTeacher.objects.filter(course=course).delete()
        CourseTeacher.objects.bulk_create(
            [
                CourseTeacher(establishment_id=course.establishment_id, course=course, teacher=t)
                for t in teachers
            ]
        )
    counts = sync_lessons([course], since=since or timezone.localdate())
    record(
        actor=actor,
        establishment=course.establishment,
        action="timetable.course_changed",
        target=course,
        before=before,
        after=_course_snapshot(course, teachers if teachers is not None else old_teachers),
    )
    return counts


@transaction.atomic
def do_remove_course(*, actor: Any, course: Course) -> None:
    """Remove a course from today on. Its past lessons stay (they are the school's record); a
    future lesson that another service refers to is cancelled rather than deleted. The course
    itself is deleted when no lesson is left, otherwise it ends yesterday."""
    today = timezone.localdate()
    delete_free_lessons(Lesson.objects.filter(course=course, slot__gte=today))
    record(
        actor=actor,
        establishment=course.establishment,
        action="timetable.course_removed",
        target=course,
        before=_course_snapshot(course, list(course.teachers.all())),
    )
    if Lesson.objects.filter(course=course).exists():
        yesterday = today - timedelta(days=1)
        course.valid_until = max(yesterday, course.valid_from or yesterday)
        course.save(update_fields=["valid_until", "updated_at"])
    else:
        CourseTeacher.objects.filter(course=course).delete()
        course.delete()
