"""Changes to the logbook: entries, homework, done marks, copies, visas, settings.

Each action runs in one transaction and sanitises HTML before it is stored; entries, homework,
copies, visas and settings write an audit row (a student's done mark is private and is not
audited). Setting a homework notifies the class's (or group's) students and their guardians
once the transaction commits; ``notify`` applies each person's preferences and the quiet hours.
Uploaded files were checked by the forms before they reach these actions.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.core import html as core_html
from preau.core.uploads import CheckedFile
from preau.directory.models import Enrolment, GroupMembership, Guardianship
from preau.directory.years import refuse_closed_year
from preau.logbook.models import (
    Attachment,
    Entry,
    Homework,
    HomeworkDone,
    LogbookSettings,
    Visa,
)
from preau.notifications.actions import notify
from preau.notifications.models import Kind
from preau.portal.panel_cache import bump_scope, forget_panels
from preau.timetable.models import Lesson

HOMEWORK_FIELDS = ["kind", "minutes", "due_date", "instructions"]


def sanitise_html(text: str) -> str:
    return core_html.sanitise_html(text, allow_headings=True, link_rel="noopener")


def _store(owner: dict[str, Any], establishment: Any, files: list[CheckedFile]) -> None:
    for checked in files:
        attachment = Attachment(
            establishment=establishment,
            original_name=checked.original_name,
            size=checked.size,
            content_type=checked.content_type,
            **owner,
        )
        attachment.file.save(f"file.{checked.extension}", ContentFile(checked.content), save=False)
        attachment.save()


def _forget_files(names: list[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _changed(establishment_id: int) -> None:
    """The establishment's logbook panels are recomputed at the next visit."""
    bump_scope("logbook", [establishment_id])


# -- entries ---------------------------------------------------------------------------------------


@transaction.atomic
def do_save_entry(
    *,
    actor: Any,
    lesson: Lesson,
    content: str,
    attachments: list[CheckedFile] | None = None,
    remove_attachments: list[Attachment] | None = None,
) -> Entry:
    """Write (or rewrite) the entry of a lesson the actor teaches (checked by the caller)."""
    refuse_closed_year(lesson.establishment_id, lesson.school_year_id)
    entry = Entry.objects.select_for_update().filter(lesson=lesson).first()
    before = {"content": entry.content} if entry else None
    if entry is None:
        entry = Entry(
            establishment_id=lesson.establishment_id,
            school_year_id=lesson.school_year_id,
            lesson=lesson,
            author=getattr(actor, "user", actor),
        )
    entry.content = sanitise_html(content)
    entry.save()
    removed = [a for a in remove_attachments or [] if a.entry_id == entry.pk]
    _forget_files([a.file.name for a in removed])
    Attachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
    _store({"entry": entry}, lesson.establishment, attachments or [])
    record(
        actor=actor,
        establishment=lesson.establishment,
        action="logbook.entry.save",
        target=entry,
        before=before,
        after={"content": entry.content, "lesson": str(lesson.public_id)},
    )
    _changed(lesson.establishment_id)
    return entry


# -- homework --------------------------------------------------------------------------------------


def audience_people(school_class_id: int | None, group_id: int | None, year: Any) -> list[Any]:
    """The students of a class or group and their guardians (2 queries)."""
    from preau.accounts.models import User

    if school_class_id:
        students = Enrolment.objects.filter(
            school_class_id=school_class_id, school_year=year
        ).values("student_id")
    else:
        students = GroupMembership.objects.filter(group_id=group_id).values("student_id")
    guardians = Guardianship.objects.filter(student_id__in=students).values("guardian_id")
    return list(
        User.objects.filter(is_active=True).filter(Q(pk__in=students) | Q(pk__in=guardians))
    )


def _notify_homework(actor: Any, homework: Homework) -> None:
    lesson = homework.lesson
    recipients = audience_people(homework.school_class_id, homework.group_id, lesson.school_year)
    notify(
        recipients=recipients,
        establishment=lesson.establishment,
        kind=Kind.HOMEWORK,
        title=_("%(subject)s : %(kind)s pour le %(day)s")
        % {
            "subject": homework.subject.label,
            "kind": homework.get_kind_display().lower(),
            "day": homework.due_date.strftime("%d/%m"),
        },
        body=homework.audience.name,
        # A guardian lands on the list of their child in that class.
        url=reverse("logbook:homework")
        + (f"?class={homework.school_class.public_id}" if homework.school_class_id else ""),
        actor=getattr(actor, "user", actor),
    )


@transaction.atomic
def do_set_homework(
    *,
    actor: Any,
    lesson: Lesson,
    kind: str,
    instructions: str,
    minutes: int = 0,
    due_lesson: Lesson | None = None,
    due_date: date | None = None,
    drop_box: Any = None,
    attachments: list[CheckedFile] | None = None,
    notify_people: bool = True,
) -> Homework:
    """A homework given on ``lesson``, due for ``due_lesson`` or on ``due_date``."""
    refuse_closed_year(lesson.establishment_id, lesson.school_year_id)
    if due_lesson is not None:
        due_date = due_lesson.date
    if due_date is None:
        raise ValueError("A homework is due for a lesson or on a date.")
    homework = Homework.objects.create(
        establishment_id=lesson.establishment_id,
        school_year_id=lesson.school_year_id,
        lesson=lesson,
        school_class_id=lesson.school_class_id,
        group_id=lesson.group_id,
        subject_id=lesson.subject_id,
        due_lesson=due_lesson,
        due_date=due_date,
        kind=kind,
        minutes=minutes,
        instructions=sanitise_html(instructions),
        drop_box=drop_box,
        author=getattr(actor, "user", actor),
    )
    _store({"homework": homework}, lesson.establishment, attachments or [])
    record(
        actor=actor,
        establishment=lesson.establishment,
        action="logbook.homework.set",
        target=homework,
        after={**snapshot(homework, HOMEWORK_FIELDS), "lesson": str(lesson.public_id)},
    )
    _changed(lesson.establishment_id)
    if notify_people:
        transaction.on_commit(lambda: _notify_homework(actor, homework))
    return homework


@transaction.atomic
def do_update_homework(
    *,
    actor: Any,
    homework: Homework,
    kind: str,
    instructions: str,
    minutes: int = 0,
    due_lesson: Lesson | None = None,
    due_date: date | None = None,
    drop_box: Any = None,
    attachments: list[CheckedFile] | None = None,
    remove_attachments: list[Attachment] | None = None,
) -> Homework:
    """Change a homework (its lesson and audience stay). The students are not notified again:
    the change shows in their list and panel."""
    refuse_closed_year(homework.establishment_id, homework.school_year_id)
    homework = Homework.objects.select_for_update().get(pk=homework.pk)
    before = snapshot(homework, HOMEWORK_FIELDS)
    if due_lesson is not None:
        due_date = due_lesson.date
    if due_date is None:
        raise ValueError("A homework is due for a lesson or on a date.")
    homework.kind = kind
    homework.instructions = sanitise_html(instructions)
    homework.minutes = minutes
    homework.due_lesson = due_lesson
    homework.due_date = due_date
    homework.drop_box = drop_box
    homework.save(
        update_fields=["kind", "instructions", "minutes", "due_lesson", "due_date", "drop_box"]
    )
    removed = [a for a in remove_attachments or [] if a.homework_id == homework.pk]
    _forget_files([a.file.name for a in removed])
    Attachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
    _store({"homework": homework}, homework.establishment, attachments or [])
    record(
        actor=actor,
        establishment=homework.establishment,
        action="logbook.homework.update",
        target=homework,
        before=before,
        after=snapshot(homework, HOMEWORK_FIELDS),
    )
    _changed(homework.establishment_id)
    return homework


@transaction.atomic
def do_delete_homework(*, actor: Any, homework: Homework) -> None:
    refuse_closed_year(homework.establishment_id, homework.school_year_id)
    names = [a.file.name for a in homework.attachments.all()]
    record(
        actor=actor,
        establishment=homework.establishment,
        action="logbook.homework.delete",
        target=homework,
        before=snapshot(homework, HOMEWORK_FIELDS),
    )
    _changed(homework.establishment_id)
    homework.delete()
    _forget_files(names)


@transaction.atomic
def do_mark_done(*, actor: Any, homework: Homework, done: bool) -> None:
    """The student's own « fait » mark (checked by the caller: their own class's homework)."""
    refuse_closed_year(homework.establishment_id, homework.school_year_id)
    student = getattr(actor, "user", actor)
    if done:
        HomeworkDone.objects.get_or_create(
            homework=homework,
            student=student,
            defaults={"establishment_id": homework.establishment_id},
        )
    else:
        HomeworkDone.objects.filter(homework=homework, student=student).delete()
    guardians = list(
        Guardianship.objects.filter(student=student).values_list("guardian_id", flat=True)
    )
    forget_panels("logbook", [student.pk, *guardians])


# -- copies ----------------------------------------------------------------------------------------


def _copy_files(source: list[Attachment], owner: dict[str, Any], establishment: Any) -> None:
    for attached in source:
        with attached.file.open("rb") as handle:
            content = handle.read()
        extension = attached.file.name.rsplit(".", 1)[-1]
        _store(
            owner,
            establishment,
            [CheckedFile(content, attached.original_name, extension, attached.content_type)],
        )


@transaction.atomic
def do_copy_entry(*, actor: Any, source: Entry, target: Lesson) -> Entry:
    """Copy an entry's content, files and homework into ``target`` (a lesson the actor
    teaches). A homework is due as many days after the target as it was after the source, at
    the next lesson of the target's class or group in that subject on or after that day when
    there is one. Copied homework notifies the students like a new one."""
    refuse_closed_year(target.establishment_id, target.school_year_id)
    from preau.logbook.policies import due_lessons

    existing = Entry.objects.filter(lesson=target).first()
    content = source.content
    if existing is not None and existing.content:
        content = existing.content + source.content
    entry = do_save_entry(actor=actor, lesson=target, content=content)
    _copy_files(list(source.attachments.all()), {"entry": entry}, target.establishment)
    later = list(due_lessons(target)[:40])
    for homework in source.lesson.homework.select_related("lesson").prefetch_related("attachments"):
        day = target.date + (homework.due_date - homework.lesson.date)
        due_lesson = next((lesson for lesson in later if lesson.date >= day), None)
        copied = do_set_homework(
            actor=actor,
            lesson=target,
            kind=homework.kind,
            instructions=homework.instructions,
            minutes=homework.minutes,
            due_lesson=due_lesson,
            due_date=None if due_lesson else max(day, target.date + timedelta(days=1)),
        )
        _copy_files(list(homework.attachments.all()), {"homework": copied}, target.establishment)
    record(
        actor=actor,
        establishment=target.establishment,
        action="logbook.entry.copy",
        target=entry,
        after={"from": str(source.public_id), "to": str(target.public_id)},
    )
    return entry


# -- visas and settings ----------------------------------------------------------------------------


@transaction.atomic
def do_sign_visa(
    *, actor: Any, school_class: Any, period_start: date, period_end: date, comment: str = ""
) -> Visa:
    refuse_closed_year(school_class.establishment_id, school_class.school_year_id)
    visa = Visa.objects.create(
        establishment_id=school_class.establishment_id,
        school_year_id=school_class.school_year_id,
        school_class=school_class,
        period_start=period_start,
        period_end=period_end,
        comment=comment.strip(),
        signed_by=getattr(actor, "user", actor),
    )
    record(
        actor=actor,
        establishment=school_class.establishment,
        action="logbook.visa.sign",
        target=visa,
        after={
            "class": school_class.name,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "comment": visa.comment,
            "signed_at": timezone.localtime(visa.signed_at).isoformat(),
        },
    )
    return visa


@transaction.atomic
def do_update_settings(
    *, actor: Any, establishment: Any, max_tests_per_day: int, max_minutes_per_day: int
) -> LogbookSettings:
    settings, _created = LogbookSettings.objects.get_or_create(establishment=establishment)
    before = snapshot(settings, ["max_tests_per_day", "max_minutes_per_day"])
    settings.max_tests_per_day = max_tests_per_day
    settings.max_minutes_per_day = max_minutes_per_day
    settings.save()
    record(
        actor=actor,
        establishment=establishment,
        action="logbook.settings.update",
        target=settings,
        before=before,
        after=snapshot(settings, ["max_tests_per_day", "max_minutes_per_day"]),
    )
    return settings
