"""Every change of the timetable: courses, the school calendar, lesson changes, imports.

One transaction each; courses and lesson changes are audited; the people concerned by a lesson
change are notified once the transaction commits (notifications.actions.notify).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.directory.models import Guardianship
from preau.notifications.actions import notify
from preau.notifications.models import Kind
from preau.portal.panel_cache import bump_scope
from preau.timetable.generation import PARIS, delete_free_lessons, sync_lessons
from preau.timetable.models import (
    ClosedDay,
    Course,
    CourseTeacher,
    Lesson,
    LessonStatus,
    LessonTeacher,
    WeekOverride,
)
from preau.timetable.policies import lesson_students

User = get_user_model()

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
    bump_scope("timetable", [establishment.pk])
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
    bump_scope("timetable", [course.establishment_id])
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


# -- changes of one lesson -----------------------------------------------------------------------


class TimetableError(ValueError):
    """A change the timetable refuses, with the message shown to the person."""


def _check_in_year(lesson_year: Any, day: date) -> None:
    if not lesson_year.start_date <= day <= lesson_year.end_date:
        raise TimetableError(
            _("Le %(day)s est en dehors de l'année scolaire %(year)s.")
            % {"day": formats.date_format(day, "SHORT_DATE_FORMAT"), "year": lesson_year.label}
        )


def _check_conflicts(
    *,
    establishment: Any,
    start: datetime,
    end: datetime,
    teacher_ids: set[int],
    room: str,
    school_class_id: int | None,
    group_id: int | None,
    exclude: int | None = None,
) -> None:
    """Refuse a lesson that overlaps another (not cancelled) of the same teacher, room, class
    or group (1 query)."""
    same = Q(pk__in=LessonTeacher.objects.filter(teacher_id__in=teacher_ids).values("lesson_id"))
    same |= Q(replacement_teacher_id__in=teacher_ids)
    if room:
        same |= Q(room__iexact=room)
    if school_class_id:
        same |= Q(school_class_id=school_class_id)
    if group_id:
        same |= Q(group_id=group_id)
    clash = (
        Lesson.objects.filter(same, establishment=establishment, start__lt=end, end__gt=start)
        .exclude(status=LessonStatus.CANCELLED)
        .exclude(pk=exclude)
        .select_related("subject", "school_class", "group")
        .first()
    )
    if clash is not None:
        raise TimetableError(
            _("Ce créneau chevauche %(lesson)s (%(when)s).")
            % {"lesson": f"{clash.subject} · {clash.audience}", "when": _when(clash.start)}
        )


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment, PARIS), "l j F, H:i")


def lesson_recipients(lesson: Lesson) -> list[Any]:
    """The people a change of this lesson concerns: its students, their guardians, its
    teachers and replacement (1 query)."""
    students = lesson_students(lesson).values("pk")
    guardians = Guardianship.objects.filter(student_id__in=students).values("guardian_id")
    teachers = LessonTeacher.objects.filter(lesson=lesson).values("teacher_id")
    condition = Q(pk__in=students) | Q(pk__in=guardians) | Q(pk__in=teachers)
    if lesson.replacement_teacher_id:
        condition |= Q(pk=lesson.replacement_teacher_id)
    return list(User.objects.filter(condition, is_active=True).only("pk"))


def _notify_change(*, actor: Any, lesson: Lesson, title: str, extra: list[Any] = ()) -> None:
    """Tell the people concerned, once the change is committed, if the lesson is still ahead."""
    if lesson.end <= timezone.now():
        return
    user = getattr(actor, "user", actor)
    recipients = [p for p in [*lesson_recipients(lesson), *extra] if p.pk != user.pk]
    body = f"{lesson.subject} · {lesson.audience} · {_when(lesson.start)}"
    if lesson.change_note:
        body += f"\n{lesson.change_note}"
    notify(
        recipients=recipients,
        establishment=lesson.establishment,
        kind=Kind.TIMETABLE,
        title=title,
        body=body,
        url=reverse("timetable:lesson", kwargs={"public_id": lesson.public_id}),
        actor=actor,
    )
    bump_scope("timetable", [lesson.establishment_id])


CHANGE_FIELDS = [
    "status",
    "date",
    "start",
    "end",
    "room",
    "room_changed",
    "replacement_teacher",
    "moved_from",
    "change_note",
    "changed_at",
]


def _save_change(*, actor: Any, lesson: Lesson, action: str, changes: dict[str, Any]) -> None:
    changes["changed_at"] = timezone.now()
    fields = list(changes)
    before = snapshot(lesson, fields)
    for name, value in changes.items():
        setattr(lesson, name, value)
    lesson.save(update_fields=fields)
    record(
        actor=actor,
        establishment=lesson.establishment,
        action=action,
        target=lesson,
        before=before,
        after=snapshot(lesson, fields),
    )


@transaction.atomic
def do_cancel_lesson(*, actor: Any, lesson: Lesson, note: str = "") -> Lesson:
    if lesson.status == LessonStatus.CANCELLED:
        raise TimetableError(_("Ce cours est déjà annulé."))
    _save_change(
        actor=actor,
        lesson=lesson,
        action="timetable.lesson_cancelled",
        changes={"status": LessonStatus.CANCELLED, "change_note": note},
    )
    _notify_change(actor=actor, lesson=lesson, title=_("Cours annulé : %s") % lesson.subject)
    return lesson


@transaction.atomic
def do_restore_lesson(*, actor: Any, lesson: Lesson, note: str = "") -> Lesson:
    """Undo a cancellation: the lesson takes place (where it was moved to, if it was)."""
    if lesson.status != LessonStatus.CANCELLED:
        raise TimetableError(_("Ce cours n'est pas annulé."))
    if lesson.course_id is None:
        status = LessonStatus.EXTRA
    else:
        status = LessonStatus.MOVED if lesson.moved_from else LessonStatus.PLANNED
    _check_conflicts(
        establishment=lesson.establishment,
        start=lesson.start,
        end=lesson.end,
        teacher_ids={t.pk for t in lesson.teachers.all()},
        room=lesson.room,
        school_class_id=lesson.school_class_id,
        group_id=lesson.group_id,
        exclude=lesson.pk,
    )
    _save_change(
        actor=actor,
        lesson=lesson,
        action="timetable.lesson_restored",
        changes={"status": status, "change_note": note},
    )
    _notify_change(actor=actor, lesson=lesson, title=_("Cours rétabli : %s") % lesson.subject)
    return lesson


@transaction.atomic
def do_move_lesson(
    *,
    actor: Any,
    lesson: Lesson,
    start: datetime,
    end: datetime,
    room: str | None = None,
    note: str = "",
) -> Lesson:
    """Move a lesson to another day or time (and room). Its row, and what is attached to it,
    stay; the views show where it was."""
    if end <= start:
        raise TimetableError(_("La fin doit être après le début."))
    day = timezone.localtime(start, PARIS).date()
    _check_in_year(lesson.school_year, day)
    room = lesson.room if room is None else room
    _check_conflicts(
        establishment=lesson.establishment,
        start=start,
        end=end,
        teacher_ids={t.pk for t in lesson.teachers.all()}
        | ({lesson.replacement_teacher_id} if lesson.replacement_teacher_id else set()),
        room=room,
        school_class_id=lesson.school_class_id,
        group_id=lesson.group_id,
        exclude=lesson.pk,
    )
    changes: dict[str, Any] = {
        "date": day,
        "start": start,
        "end": end,
        "room": room,
        "room_changed": _room_changed(lesson, room),
        "change_note": note,
    }
    if lesson.status != LessonStatus.EXTRA:
        changes["status"] = LessonStatus.MOVED
        changes["moved_from"] = lesson.moved_from or lesson.start
    _save_change(actor=actor, lesson=lesson, action="timetable.lesson_moved", changes=changes)
    _notify_change(actor=actor, lesson=lesson, title=_("Cours déplacé : %s") % lesson.subject)
    return lesson


def _room_changed(lesson: Lesson, room: str) -> bool:
    return lesson.course_id is not None and room != lesson.course.room


@transaction.atomic
def do_change_room(*, actor: Any, lesson: Lesson, room: str, note: str = "") -> Lesson:
    room = room.strip()
    if room == lesson.room:
        raise TimetableError(_("Le cours a déjà lieu dans cette salle."))
    if room:
        clash = (
            Lesson.objects.filter(
                establishment=lesson.establishment,
                room__iexact=room,
                start__lt=lesson.end,
                end__gt=lesson.start,
            )
            .exclude(status=LessonStatus.CANCELLED)
            .exclude(pk=lesson.pk)
            .select_related("subject", "school_class", "group")
            .first()
        )
        if clash is not None:
            raise TimetableError(
                _("La salle %(room)s est prise par %(lesson)s.")
                % {"room": room, "lesson": f"{clash.subject} · {clash.audience}"}
            )
    _save_change(
        actor=actor,
        lesson=lesson,
        action="timetable.lesson_room_changed",
        changes={"room": room, "room_changed": _room_changed(lesson, room), "change_note": note},
    )
    _notify_change(
        actor=actor,
        lesson=lesson,
        title=_("Changement de salle : %(subject)s en %(room)s")
        % {"subject": lesson.subject, "room": room or "—"},
    )
    return lesson


@transaction.atomic
def do_set_replacement(
    *, actor: Any, lesson: Lesson, teacher: Any | None, note: str = ""
) -> Lesson:
    """Name (or remove, with None) the teacher who replaces the lesson's teachers."""
    previous = lesson.replacement_teacher
    if teacher is not None:
        _check_conflicts(
            establishment=lesson.establishment,
            start=lesson.start,
            end=lesson.end,
            teacher_ids={teacher.pk},
            room="",
            school_class_id=None,
            group_id=None,
            exclude=lesson.pk,
        )
    _save_change(
        actor=actor,
        lesson=lesson,
        action="timetable.lesson_replacement",
        changes={"replacement_teacher": teacher, "change_note": note},
    )
    if teacher is not None:
        title = _("Remplacement : %(subject)s avec %(teacher)s") % {
            "subject": lesson.subject,
            "teacher": teacher.get_full_name(),
        }
    else:
        title = _("Fin du remplacement : %s") % lesson.subject
    _notify_change(
        actor=actor, lesson=lesson, title=title, extra=[previous] if previous is not None else []
    )
    return lesson


@transaction.atomic
def do_add_extra_lesson(
    *,
    actor: Any,
    establishment: Any,
    school_year: Any,
    subject: Any,
    teachers: list[Any],
    start: datetime,
    end: datetime,
    school_class: Any = None,
    group: Any = None,
    room: str = "",
    note: str = "",
) -> Lesson:
    """A lesson outside the weekly courses (a catch-up, an exam)."""
    if end <= start:
        raise TimetableError(_("La fin doit être après le début."))
    if (school_class is None) == (group is None):
        raise TimetableError(_("Choisissez une classe ou un groupe."))
    day = timezone.localtime(start, PARIS).date()
    _check_in_year(school_year, day)
    _check_conflicts(
        establishment=establishment,
        start=start,
        end=end,
        teacher_ids={t.pk for t in teachers},
        room=room,
        school_class_id=school_class.pk if school_class else None,
        group_id=group.pk if group else None,
    )
    lesson = Lesson.objects.create(
        establishment=establishment,
        school_year=school_year,
        school_class=school_class,
        group=group,
        subject=subject,
        date=day,
        start=start,
        end=end,
        room=room,
        status=LessonStatus.EXTRA,
        change_note=note,
        changed_at=timezone.now(),
    )
    LessonTeacher.objects.bulk_create(
        [LessonTeacher(establishment=establishment, lesson=lesson, teacher=t) for t in teachers]
    )
    record(
        actor=actor,
        establishment=establishment,
        action="timetable.extra_lesson",
        target=lesson,
        after=snapshot(lesson, ["subject", "school_class", "group", "start", "end", "room"]),
    )
    _notify_change(
        actor=actor, lesson=lesson, title=_("Cours supplémentaire : %s") % lesson.subject
    )
    return lesson


# -- the school calendar ---------------------------------------------------------------------------


def resync_establishment(establishment: Any, school_year: Any) -> dict[str, int]:
    """After a change of the school calendar: every course's lessons from today follow."""
    courses = list(
        Course.objects.filter(establishment=establishment, school_year=school_year).select_related(
            "school_year", "establishment"
        )
    )
    counts = sync_lessons(courses, since=timezone.localdate())
    bump_scope("timetable", [establishment.pk])
    return counts


@transaction.atomic
def do_save_settings(*, actor: Any, form: Any) -> Any:
    """The holiday zone and the start of weeks A/B (a bound SettingsForm)."""
    before = snapshot(form.instance, ["zone", "week_a_start"]) if form.instance.pk else None
    saved = form.save()
    record(
        actor=actor,
        establishment=saved.establishment,
        action="timetable.settings_changed",
        target=saved,
        before=before,
        after=snapshot(saved, ["zone", "week_a_start"]),
    )
    resync_establishment(saved.establishment, actor.school_year)
    return saved


@transaction.atomic
def do_add_closed_day(*, actor: Any, establishment: Any, day: date, kind: str, label: str) -> None:
    _check_in_year(actor.school_year, day)
    if ClosedDay.objects.filter(establishment=establishment, day=day).exists():
        raise TimetableError(_("Ce jour est déjà fermé."))
    closed = ClosedDay.objects.create(establishment=establishment, day=day, kind=kind, label=label)
    record(
        actor=actor,
        establishment=establishment,
        action="timetable.closed_day_added",
        target=closed,
        after=snapshot(closed, ["day", "kind", "label"]),
    )
    resync_establishment(establishment, actor.school_year)


@transaction.atomic
def do_remove_closed_day(*, actor: Any, establishment: Any, day: date) -> None:
    deleted, _rows = ClosedDay.objects.filter(establishment=establishment, day=day).delete()
    if deleted:
        record(
            actor=actor,
            establishment=establishment,
            action="timetable.closed_day_removed",
            before={"day": day.isoformat()},
        )
        resync_establishment(establishment, actor.school_year)


@transaction.atomic
def do_set_week(*, actor: Any, establishment: Any, monday: date, week: str) -> None:
    _check_in_year(actor.school_year, monday)
    WeekOverride.objects.update_or_create(
        establishment=establishment, monday=monday, defaults={"week": week}
    )
    record(
        actor=actor,
        establishment=establishment,
        action="timetable.week_set",
        after={"monday": monday.isoformat(), "week": week},
    )
    resync_establishment(establishment, actor.school_year)


@transaction.atomic
def do_remove_week(*, actor: Any, establishment: Any, monday: date) -> None:
    deleted, _rows = WeekOverride.objects.filter(
        establishment=establishment, monday=monday
    ).delete()
    if deleted:
        record(
            actor=actor,
            establishment=establishment,
            action="timetable.week_removed",
            before={"monday": monday.isoformat()},
        )
        resync_establishment(establishment, actor.school_year)
