"""Lessons are materialised from courses, and rewritten in place when courses change.

Why materialised: the logbook and the roll call attach to a lesson (a foreign key to a stable
row with a public id), a lesson can be changed on its own (cancelled, moved, another room), and
every timetable view is then one indexed range query.

``sync_lessons(courses, since=…)`` makes the lessons of the given courses, from ``since`` (the
whole school year when None) to the end of the year, match the courses and the school calendar:
- a missing occurrence is created;
- an existing one is updated in place (same row, same public id); a lesson changed on its own
  (cancelled, moved, room, replacement) keeps its date, times and room;
- an occurrence the course no longer has is deleted if nothing refers to it, and cancelled
  otherwise (what another service attached to it stays reachable).
Past lessons are never touched by a change of course (``since`` defaults to today in actions).
A fixed number of queries whatever the number of courses and lessons (bulk reads and writes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from preau.timetable.models import Course, CourseTeacher, Lesson, LessonStatus, LessonTeacher
from preau.timetable.schoolcalendar import SchoolCalendar, school_calendar

PARIS = ZoneInfo("Europe/Paris")
BATCH_SIZE = 500
SYNCED_FIELDS = [
    "school_class",
    "group",
    "subject",
    "date",
    "start",
    "end",
    "room",
    "status",
    "changed_at",
]


def local_bounds(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """A lesson's start and end in UTC, from Paris wall-clock times on ``day``."""
    return (
        datetime.combine(day, start, tzinfo=PARIS).astimezone(UTC),
        datetime.combine(day, end, tzinfo=PARIS).astimezone(UTC),
    )


def course_range(course: Course, since: date | None) -> tuple[date, date]:
    first = max(d for d in (course.school_year.start_date, course.valid_from, since) if d)
    last = min(d for d in (course.school_year.end_date, course.valid_until) if d)
    return first, last


def course_days(course: Course, calendar: SchoolCalendar, first: date, last: date) -> list[date]:
    """The days from ``first`` to ``last`` on which the course takes place."""
    day = first + timedelta(days=(course.weekday - first.isoweekday()) % 7)
    days = []
    while day <= last:
        if calendar.has_lesson(day, course.weeks):
            days.append(day)
        day += timedelta(days=7)
    return days


def lessons_with_data(lesson_ids: Iterable[int]) -> set[int]:
    """The lessons another service refers to (the logbook, the roll call…): one query per
    relation to Lesson declared by another model."""
    ids = list(lesson_ids)
    found: set[int] = set()
    if not ids:
        return found
    for relation in Lesson._meta.related_objects:
        model = relation.related_model
        if model is LessonTeacher or (relation.many_to_many and relation.through is LessonTeacher):
            continue
        name = relation.field.name
        found.update(
            model._default_manager.filter(**{f"{name}__in": ids}).values_list(name, flat=True)
        )
    return found


def sync_lessons(courses: list[Course], *, since: date | None = None) -> dict[str, int]:
    """Bring the lessons of ``courses`` (one establishment) in line with them; see the module.

    Returns how many lessons were created, updated, deleted and cancelled.
    """
    counts = {"created": 0, "updated": 0, "deleted": 0, "cancelled": 0}
    if not courses:
        return counts
    establishment = courses[0].establishment
    ranges = {course.pk: course_range(course, since) for course in courses}
    first = min(r[0] for r in ranges.values())
    last = max(r[1] for r in ranges.values())
    calendar = school_calendar(establishment, first, last)
    teachers = defaultdict(set)
    for course_id, teacher_id in CourseTeacher.objects.filter(
        course__in=[c.pk for c in courses]
    ).values_list("course_id", "teacher_id"):
        teachers[course_id].add(teacher_id)

    existing: dict[tuple[int, date], Lesson] = {}
    lessons = Lesson.objects.filter(course__in=[c.pk for c in courses])
    if since is not None:
        lessons = lessons.filter(slot__gte=since)
    for lesson in lessons:
        existing[(lesson.course_id, lesson.slot)] = lesson
    links = defaultdict(set)
    for lesson_id, teacher_id in LessonTeacher.objects.filter(
        lesson__in=[lesson.pk for lesson in existing.values()]
    ).values_list("lesson_id", "teacher_id"):
        links[lesson_id].add(teacher_id)

    now = timezone.now()
    to_create: list[Lesson] = []
    to_update: list[Lesson] = []
    wanted: set[tuple[int, date]] = set()
    teacher_changes: list[tuple[Lesson, set[int]]] = []
    for course in courses:
        course_first, course_last = ranges[course.pk]
        for day in course_days(course, calendar, course_first, course_last):
            key = (course.pk, day)
            wanted.add(key)
            start, end = local_bounds(day, course.start_time, course.end_time)
            lesson = existing.get(key)
            if lesson is None:
                lesson = Lesson(
                    establishment_id=course.establishment_id,
                    school_year_id=course.school_year_id,
                    course=course,
                    slot=day,
                    school_class_id=course.school_class_id,
                    group_id=course.group_id,
                    subject_id=course.subject_id,
                    date=day,
                    start=start,
                    end=end,
                    room=course.room,
                )
                to_create.append(lesson)
                teacher_changes.append((lesson, teachers[course.pk]))
                continue
            lesson.school_class_id = course.school_class_id
            lesson.group_id = course.group_id
            lesson.subject_id = course.subject_id
            if lesson.status == LessonStatus.PLANNED or (
                lesson.status == LessonStatus.CANCELLED and lesson.moved_from is None
            ):
                # Not moved: follows the course's times; the room too unless changed on its own.
                lesson.date, lesson.start, lesson.end = day, start, end
                if not lesson.room_changed:
                    lesson.room = course.room
            to_update.append(lesson)
            if links[lesson.pk] != teachers[course.pk]:
                teacher_changes.append((lesson, teachers[course.pk]))

    gone = [lesson for key, lesson in existing.items() if key not in wanted]
    kept = lessons_with_data(lesson.pk for lesson in gone)
    for lesson in gone:
        if lesson.pk in kept and lesson.status != LessonStatus.CANCELLED:
            lesson.status = LessonStatus.CANCELLED
            lesson.changed_at = now
            to_update.append(lesson)
            counts["cancelled"] += 1
    deleted = [lesson.pk for lesson in gone if lesson.pk not in kept]
    if deleted:
        LessonTeacher.objects.filter(lesson__in=deleted).delete()
        Lesson.objects.filter(pk__in=deleted).delete()
    counts["deleted"] = len(deleted)

    Lesson.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Lesson.objects.bulk_update(
        to_update,
        SYNCED_FIELDS,
        batch_size=BATCH_SIZE,
    )
    counts["created"] = len(to_create)
    counts["updated"] = len(to_update) - counts["cancelled"]
    set_teachers(teacher_changes)
    return counts


def set_teachers(changes: list[tuple[Lesson, set[int]]]) -> None:
    """Replace the teachers of these lessons (2 queries)."""
    if not changes:
        return
    LessonTeacher.objects.filter(lesson__in=[lesson.pk for lesson, _ in changes]).delete()
    LessonTeacher.objects.bulk_create(
        [
            LessonTeacher(
                establishment_id=lesson.establishment_id, lesson=lesson, teacher_id=teacher_id
            )
            for lesson, teacher_ids in changes
            for teacher_id in sorted(teacher_ids)
        ],
        batch_size=BATCH_SIZE,
    )


def delete_free_lessons(lessons: Any) -> int:
    """Delete those of ``lessons`` (a queryset) nothing refers to; cancel the others."""
    rows = list(lessons.values_list("pk", flat=True))
    kept = lessons_with_data(rows)
    free = [pk for pk in rows if pk not in kept]
    LessonTeacher.objects.filter(lesson__in=free).delete()
    Lesson.objects.filter(pk__in=free).delete()
    Lesson.objects.filter(pk__in=kept).exclude(status=LessonStatus.CANCELLED).update(
        status=LessonStatus.CANCELLED, changed_at=timezone.now()
    )
    return len(free)
