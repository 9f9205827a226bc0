"""Every change of the roll call and the attendance: one transaction each, bulk writes, audit
rows for school life's decisions and for roll calls changed after their day, guardians notified
once the transaction commits (notifications.actions.notify, quiet hours applied)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from preau.attendance import policies
from preau.attendance.halfdays import PARIS, half_day_rows
from preau.attendance.models import (
    DEFAULT_REASONS,
    AbsenceReason,
    AttendanceRecord,
    Decision,
    HalfDay,
    Justification,
    RecordKind,
    RecordStatus,
    RollCall,
)
from preau.audit.actions import record as audit
from preau.core.uploads import CheckedFile
from preau.directory.models import Guardianship
from preau.directory.years import refuse_closed_year
from preau.notifications.actions import notify
from preau.notifications.models import Kind
from preau.portal.panel_cache import bump_scope, forget_panels
from preau.timetable.models import Lesson

MAX_LATE_MINUTES = 240
STATES = ("present", "absent", "late")


@dataclass(frozen=True)
class MarkInput:
    """What the teacher ticked for one student."""

    state: str
    minutes: int | None = None


def ensure_reasons(establishment: Any) -> None:
    """The national default reasons, once per establishment (2 queries when already there)."""
    if AbsenceReason.objects.filter(establishment=establishment).exists():
        return
    AbsenceReason.objects.bulk_create(
        [
            AbsenceReason(
                establishment=establishment,
                code=code,
                label=str(label),
                guardian_usable=usable,
                position=position,
            )
            for position, (code, label, usable) in enumerate(DEFAULT_REASONS)
        ],
        ignore_conflicts=True,
    )


def _guardians_of(student_ids: list[int]) -> list[Any]:
    links = Guardianship.objects.filter(
        student_id__in=student_ids, legal=True, guardian__is_active=True
    ).select_related("guardian")
    return [link.guardian for link in links]


def _when(moment: datetime) -> str:
    return formats.date_format(moment.astimezone(PARIS), "l j F à H:i")


def _notify_absences(
    *, actor: Any, establishment: Any, student_ids: list[int], title: str, now: datetime
) -> None:
    """Tell the guardians of these students that an absence is to justify. The title names no
    child: one notification serves every family (a fixed number of queries)."""
    guardians = _guardians_of(student_ids)
    if not guardians:
        return
    notify(
        recipients=guardians,
        establishment=establishment,
        kind=Kind.ABSENCE,
        title=title,
        body=_("Vous pouvez la justifier en ligne."),
        url=reverse("attendance:records"),
        actor=actor,
        now=now,
    )
    forget_panels("attendance", [g.pk for g in guardians])


def _validate_marks(marks: dict[str, MarkInput], lesson: Lesson) -> None:
    length = int((lesson.end - lesson.start).total_seconds() // 60)
    for mark in marks.values():
        if mark.state not in STATES:
            raise ValidationError(_("Choisissez présent, absent ou en retard."), code="state")
        if mark.state == "late":
            limit = min(MAX_LATE_MINUTES, max(length, 1))
            if mark.minutes is None or not 1 <= mark.minutes <= limit:
                raise ValidationError(
                    _("Un retard se compte en minutes, de 1 à %(max)s."),
                    code="minutes",
                    params={"max": limit},
                )


@transaction.atomic
def do_save_roll_call(
    *,
    actor: Any,
    lesson: Lesson,
    marks: dict[str, MarkInput],
    now: datetime | None = None,
) -> RollCall:
    """Save a lesson's roll call: ``marks`` maps students' public ids to what was ticked;
    students left out are present. A fixed number of queries whatever the class size."""
    now = now or timezone.now()
    refuse_closed_year(lesson.establishment_id, lesson.school_year_id)
    refusal = policies.roll_call_refusal(actor, lesson, now)
    if refusal:
        raise ValidationError(refusal, code="refused")
    _validate_marks(marks, lesson)
    from preau.attendance.selectors import covering_absences, lesson_students

    by_public_id = {str(s.public_id): s for s in lesson_students(lesson)}
    if {str(key) for key in marks} - set(by_public_id):
        raise ValidationError(_("Cet élève n'est pas de ce cours."), code="student")
    students = {s.pk: s for s in by_public_id.values()}
    marks_by_pk = {by_public_id[str(key)].pk: mark for key, mark in marks.items()}
    roll_call = RollCall.objects.select_for_update().filter(lesson=lesson).first()
    created = roll_call is None
    if created:
        roll_call = RollCall.objects.create(
            establishment_id=lesson.establishment_id,
            school_year_id=lesson.school_year_id,
            lesson=lesson,
            taken_by=actor.user,
            taken_at=now,
            updated_by=actor.user,
            updated_at=now,
        )
    existing = {r.student_id: r for r in AttendanceRecord.objects.filter(roll_call=roll_call)}
    covered = covering_absences(lesson, list(students))
    wanted: dict[int, MarkInput] = {
        pk: mark
        for pk, mark in marks_by_pk.items()
        # Absent for a reason school life already entered: that record counts, not a second.
        if mark.state == "late" or (mark.state == "absent" and pk not in covered)
    }
    to_delete = [r.pk for pk, r in existing.items() if pk not in wanted]
    to_create: list[AttendanceRecord] = []
    to_update: list[AttendanceRecord] = []
    for pk, mark in wanted.items():
        kind = RecordKind.LATENESS if mark.state == "late" else RecordKind.ABSENCE
        minutes = mark.minutes if mark.state == "late" else None
        record = existing.get(pk)
        if record is None:
            to_create.append(
                AttendanceRecord(
                    establishment_id=lesson.establishment_id,
                    school_year_id=lesson.school_year_id,
                    student_id=pk,
                    kind=kind,
                    start=lesson.start,
                    end=lesson.end,
                    roll_call=roll_call,
                    lesson=lesson,
                    minutes=minutes,
                    created_by=actor.user,
                )
            )
        elif record.kind != kind or record.minutes != minutes:
            record.kind, record.minutes = kind, minutes
            to_update.append(record)
    if to_delete:
        AttendanceRecord.objects.filter(pk__in=to_delete).delete()
    if to_update:
        AttendanceRecord.objects.bulk_update(to_update, ["kind", "minutes"])
        HalfDay.objects.filter(record__in=to_update).delete()
    if to_create:
        AttendanceRecord.objects.bulk_create(to_create)
    HalfDay.objects.bulk_create([h for r in [*to_create, *to_update] for h in half_day_rows(r)])
    if not created:
        roll_call.updated_by, roll_call.updated_at = actor.user, now
        roll_call.save(update_fields=["updated_by", "updated_at"])
    # Taken or changed after its day (school life only): kept in the audit trail.
    if now.astimezone(PARIS).date() > lesson.date:
        audit(
            actor=actor,
            establishment=lesson.establishment,
            action="attendance.roll_call_changed",
            target=roll_call,
            before={str(students[pk]): r.get_kind_display() for pk, r in existing.items()},
            after={str(students[pk]): m.state for pk, m in wanted.items()},
        )
    new_absences = [r.student_id for r in to_create if r.kind == RecordKind.ABSENCE]
    new_absences += [r.student_id for r in to_update if r.kind == RecordKind.ABSENCE]
    if new_absences:
        _notify_absences(
            actor=actor,
            establishment=lesson.establishment,
            student_ids=new_absences,
            title=_("Absence en %(subject)s, %(when)s : à justifier")
            % {"subject": lesson.subject.label, "when": _when(lesson.start)},
            now=now,
        )
    forget_panels("attendance", [actor.user.pk])
    bump_scope("attendance", [lesson.establishment_id])
    return roll_call


def _check_in_year(school_year: Any, start: datetime, end: datetime) -> None:
    first, last = start.astimezone(PARIS).date(), end.astimezone(PARIS).date()
    if first < school_year.start_date or last > school_year.end_date:
        raise ValidationError(
            _("Les dates doivent être dans l'année scolaire (du %(start)s au %(end)s).")
            % {
                "start": formats.date_format(school_year.start_date, "j F Y"),
                "end": formats.date_format(school_year.end_date, "j F Y"),
            },
            code="school_year",
        )


@transaction.atomic
def do_enter_record(
    *,
    actor: Any,
    student: Any,
    kind: str,
    start: datetime,
    end: datetime | None = None,
    minutes: int | None = None,
    reason: AbsenceReason | None = None,
    note: str = "",
    now: datetime | None = None,
) -> AttendanceRecord:
    """School life enters an absence over a range (several days if need be), a lateness or an
    early departure. With a reason, the record is justified at once."""
    now = now or timezone.now()
    refuse_closed_year(actor.establishment.pk, actor.school_year.pk)
    establishment = actor.establishment
    if not policies.runs_school_life(actor):
        raise ValidationError(_("Seule la vie scolaire saisit ces absences."), code="refused")
    if kind not in RecordKind.values:
        raise ValidationError(_("Type d'absence inconnu."), code="kind")
    end = end if kind == RecordKind.ABSENCE else start
    if end is None or (end <= start and kind == RecordKind.ABSENCE):
        raise ValidationError(_("La fin doit venir après le début."), code="range")
    _check_in_year(actor.school_year, start, end)
    if kind == RecordKind.LATENESS and (minutes is None or not 1 <= minutes <= MAX_LATE_MINUTES):
        raise ValidationError(
            _("Un retard se compte en minutes, de 1 à %(max)s.") % {"max": MAX_LATE_MINUTES},
            code="minutes",
        )
    if reason is not None and reason.establishment_id != establishment.pk:
        raise ValidationError(_("Ce motif n'existe pas."), code="reason")
    record = AttendanceRecord.objects.create(
        establishment=establishment,
        school_year=actor.school_year,
        student=student,
        kind=kind,
        start=start,
        end=end,
        minutes=minutes if kind == RecordKind.LATENESS else None,
        reason=reason,
        status=RecordStatus.JUSTIFIED if reason is not None else RecordStatus.UNEXPLAINED,
        note=note[:500],
        created_by=actor.user,
    )
    HalfDay.objects.bulk_create(half_day_rows(record))
    audit(
        actor=actor,
        establishment=establishment,
        action="attendance.record_entered",
        target=record,
        after={
            "student": str(student),
            "kind": kind,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "reason": str(reason) if reason else None,
        },
    )
    if kind == RecordKind.ABSENCE and reason is None:
        _notify_absences(
            actor=actor,
            establishment=establishment,
            student_ids=[student.pk],
            title=_("Absence signalée par la vie scolaire, %(when)s : à justifier")
            % {"when": _when(start)},
            now=now,
        )
    bump_scope("attendance", [establishment.pk])
    return record


@transaction.atomic
def do_justify(
    *,
    actor: Any,
    record: AttendanceRecord,
    reason: AbsenceReason,
    comment: str = "",
    document: CheckedFile | None = None,
    now: datetime | None = None,
) -> Justification:
    """A guardian justifies their child's record (again, while school life has not decided)."""
    now = now or timezone.now()
    refuse_closed_year(record.establishment_id, record.school_year_id)
    record = AttendanceRecord.objects.select_for_update().get(pk=record.pk)
    if not policies.can_justify(actor, record):
        raise ValidationError(_("Seuls les responsables de l'élève justifient."), code="refused")
    if policies.is_decided(record):
        raise ValidationError(
            _(
                "La vie scolaire a déjà statué sur cette absence : la justification ne peut "
                "plus être modifiée. Contactez le CPE si besoin."
            ),
            code="decided",
        )
    if reason.establishment_id != record.establishment_id or not (
        reason.guardian_usable and reason.active
    ):
        raise ValidationError(_("Choisissez un des motifs proposés."), code="reason")
    justification = Justification.objects.filter(record=record).first()
    old_document = justification.document.name if justification and document else ""
    if justification is None:
        justification = Justification(establishment_id=record.establishment_id, record=record)
    justification.author = actor.user
    justification.reason = reason
    justification.comment = comment[:1000]
    justification.submitted_at = now
    if document is not None:
        justification.document.save(
            f"document.{document.extension}", ContentFile(document.content), save=False
        )
        justification.document_name = document.original_name
        justification.document_type = document.content_type
    justification.save()
    if old_document:
        transaction.on_commit(lambda: default_storage.delete(old_document))
    record.status = RecordStatus.PENDING
    record.save(update_fields=["status"])
    forget_panels("attendance", [actor.user.pk])
    bump_scope("attendance", [record.establishment_id])
    return justification


@transaction.atomic
def do_decide(
    *,
    actor: Any,
    record: AttendanceRecord,
    accepted: bool,
    reason: AbsenceReason | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> Justification:
    """School life accepts or refuses a record's justification, with a comment. Without a
    justification from the family (a phone call, a letter), the decision makes one."""
    now = now or timezone.now()
    refuse_closed_year(record.establishment_id, record.school_year_id)
    record = AttendanceRecord.objects.select_for_update().get(pk=record.pk)
    if not policies.can_decide(actor, record):
        raise ValidationError(_("Seule la vie scolaire décide."), code="refused")
    justification = Justification.objects.filter(record=record).first()
    reason = reason or (justification.reason if justification else None)
    if reason is None or reason.establishment_id != record.establishment_id:
        raise ValidationError(_("Choisissez un motif."), code="reason")
    before = {"status": record.status, "reason": str(record.reason) if record.reason else None}
    if justification is None:
        justification = Justification(
            establishment_id=record.establishment_id,
            record=record,
            author=actor.user,
            submitted_at=now,
        )
    justification.reason = reason
    justification.decision = Decision.ACCEPTED if accepted else Decision.REFUSED
    justification.decided_by = actor.user
    justification.decided_at = now
    justification.decision_comment = comment[:500]
    justification.save()
    record.status = RecordStatus.JUSTIFIED if accepted else RecordStatus.REFUSED
    record.reason = reason if accepted else None
    record.save(update_fields=["status", "reason"])
    audit(
        actor=actor,
        establishment=record.establishment,
        action="attendance.justification_accepted"
        if accepted
        else "attendance.justification_refused",
        target=record,
        before=before,
        after={"status": record.status, "reason": str(reason), "comment": comment[:500]},
    )
    guardians = _guardians_of([record.student_id])
    if guardians:
        notify(
            recipients=guardians,
            establishment=record.establishment,
            kind=Kind.ABSENCE,
            title=_("Justification acceptée") if accepted else _("Justification refusée"),
            body=comment[:1000],
            url=reverse("attendance:record", args=[record.public_id]),
            actor=actor,
            now=now,
        )
        forget_panels("attendance", [g.pk for g in guardians])
    bump_scope("attendance", [record.establishment_id])
    return justification


@transaction.atomic
def do_add_reason(
    *, actor: Any, establishment: Any, label: str, guardian_usable: bool
) -> AbsenceReason:
    label = label.strip()
    if not label:
        raise ValidationError(_("Donnez un libellé au motif."), code="label")
    if AbsenceReason.objects.filter(establishment=establishment, label__iexact=label).exists():
        raise ValidationError(_("Ce motif existe déjà."), code="duplicate")
    last = AbsenceReason.objects.filter(establishment=establishment).order_by("-position").first()
    reason = AbsenceReason.objects.create(
        establishment=establishment,
        label=label[:80],
        guardian_usable=guardian_usable,
        position=(last.position + 1) if last else 0,
    )
    audit(
        actor=actor,
        establishment=establishment,
        action="attendance.reason_added",
        target=reason,
        after={"label": reason.label, "guardian_usable": guardian_usable},
    )
    return reason


@transaction.atomic
def do_update_reason(
    *, actor: Any, reason: AbsenceReason, guardian_usable: bool, active: bool
) -> AbsenceReason:
    before = {"guardian_usable": reason.guardian_usable, "active": reason.active}
    reason.guardian_usable, reason.active = guardian_usable, active
    reason.save(update_fields=["guardian_usable", "active"])
    audit(
        actor=actor,
        establishment=reason.establishment,
        action="attendance.reason_changed",
        target=reason,
        before=before,
        after={"guardian_usable": guardian_usable, "active": active},
    )
    return reason


def do_remind_missing_roll_calls(*, now: datetime | None = None) -> int:
    """Remind the teachers of lessons ended without a roll call, once per lesson (the
    ``preau remind_roll_calls`` command, run every few minutes). Returns the lessons reminded."""
    from preau.attendance.models import RollCallReminder
    from preau.timetable.models import LessonStatus

    now = now or timezone.now()
    since = now - timezone.timedelta(hours=12)
    lessons = list(
        Lesson.objects.filter(end__lte=now, end__gte=since, roll_call__isnull=True)
        .exclude(status=LessonStatus.CANCELLED)
        .exclude(pk__in=RollCallReminder.objects.values("lesson_id"))
        .select_related("subject", "school_class", "group", "establishment", "replacement_teacher")
        .prefetch_related("teachers")
    )
    for lesson in lessons:
        with transaction.atomic():
            _reminder, created = RollCallReminder.objects.get_or_create(
                lesson=lesson,
                defaults={"establishment_id": lesson.establishment_id, "sent_at": now},
            )
            if not created:
                continue
            teachers = [lesson.replacement_teacher] if lesson.replacement_teacher else []
            teachers += list(lesson.teachers.all())
            notify(
                recipients=teachers,
                establishment=lesson.establishment,
                kind=Kind.ABSENCE,
                title=_("Appel non fait : %(subject)s, %(audience)s, %(when)s")
                % {
                    "subject": lesson.subject.label,
                    "audience": lesson.audience,
                    "when": _when(lesson.start),
                },
                url=reverse("attendance:roll_call", args=[lesson.public_id]),
                now=now,
            )
    return len(lessons)
