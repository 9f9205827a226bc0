"""Writes of the notebook. Views parse input and call these; the rules are here and in
policies.py. Each write is one transaction with an audit row; the people concerned are notified
once it commits (notify() enqueues on commit)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.core.uploads import CheckedFile
from preau.directory.models import Enrolment, Function, Guardianship, Membership
from preau.notebook import policies
from preau.notebook.models import (
    FAMILY_KINDS,
    SCHOOL_KINDS,
    Attachment,
    Entry,
    Kind,
    NotebookSettings,
    Recipient,
    Reply,
    Signature,
)
from preau.notifications.actions import notify
from preau.notifications.models import Kind as NotificationKind
from preau.portal.panel_cache import forget_panels

ENTRY_FIELDS = [
    "kind",
    "title",
    "text",
    "guardians_only",
    "meeting_at",
    "place",
    "question",
    "answer_by",
    "every_guardian",
]


@dataclass
class EntryData:
    """What the school's form says about an entry; ``do_write`` checks it."""

    kind: str
    title: str
    text: str
    guardians_only: bool = False
    every_guardian: bool = False
    meeting_at: datetime | None = None
    place: str = ""
    question: str = ""
    answer_by: datetime | None = None
    measure: Any = None


def legal_guardians(students: Iterable[Any]) -> dict[int, list[Any]]:
    """The active legal guardians of each student (1 query)."""
    found: dict[int, list[Any]] = defaultdict(list)
    links = Guardianship.objects.filter(
        student__in=list(students), legal=True, guardian__is_active=True
    ).select_related("guardian")
    for link in links.order_by("guardian__last_name", "guardian__first_name"):
        found[link.student_id].append(link.guardian)
    return found


def _check_text(title: str, text: str) -> None:
    if not title.strip():
        raise ValidationError(_("Indiquez l'objet du mot."), code="title")
    if not text.strip():
        raise ValidationError(_("Écrivez le texte du mot."), code="text")


def _check_entry(actor: Any, data: EntryData, students: Sequence[Any], now: datetime) -> None:
    """The rules of a school entry, whoever calls; raises ValidationError or PermissionDenied."""
    if data.kind not in SCHOOL_KINDS or not policies.can_write(actor):
        raise PermissionDenied
    if not students:
        raise ValidationError(_("Aucun élève n'est concerné."), code="nobody")
    allowed = set(
        policies.writable_students(actor)
        .filter(pk__in=[s.pk for s in students])
        .values_list("pk", flat=True)
    )
    if len(allowed) != len({s.pk for s in students}):
        raise PermissionDenied
    _check_text(data.title, data.text)
    if data.kind == Kind.CONVOCATION:
        if data.meeting_at is None or not data.place.strip():
            raise ValidationError(
                _("Une convocation indique une date, une heure et un lieu."), code="convocation"
            )
        if data.meeting_at <= now:
            raise ValidationError(_("La convocation doit être à venir."), code="meeting_past")
    if data.kind == Kind.AUTHORISATION:
        if not data.question.strip():
            raise ValidationError(
                _("Posez la question à laquelle la famille répond par oui ou non."),
                code="question",
            )
        if data.answer_by is None:
            raise ValidationError(_("Indiquez la date limite de réponse."), code="answer_by")
        if data.answer_by <= now:
            raise ValidationError(
                _("La date limite de réponse doit être à venir."), code="answer_by_past"
            )
    if data.measure is not None:
        from preau.discipline.policies import visible_measures

        if (
            data.kind != Kind.DISCIPLINE
            or len(students) != 1
            or data.measure.student_id != students[0].pk
            or not visible_measures(actor).filter(pk=data.measure.pk).exists()
        ):
            raise PermissionDenied


def _values(data: EntryData) -> dict[str, Any]:
    """The stored values: what does not belong to the kind is blanked."""
    return {
        "kind": data.kind,
        "title": data.title.strip(),
        "text": data.text.strip(),
        "guardians_only": data.guardians_only,
        "every_guardian": data.every_guardian,
        "meeting_at": data.meeting_at if data.kind == Kind.CONVOCATION else None,
        "place": data.place.strip() if data.kind == Kind.CONVOCATION else "",
        "question": data.question.strip() if data.kind == Kind.AUTHORISATION else "",
        "answer_by": data.answer_by if data.kind == Kind.AUTHORISATION else None,
        "measure": data.measure if data.kind == Kind.DISCIPLINE else None,
    }


def _store_attachments(entries: Sequence[Entry], files: Iterable[CheckedFile]) -> None:
    """Each file stored once, then one row per entry pointing at it (one insert per file)."""
    for checked in files:
        first = Attachment(
            establishment=entries[0].establishment,
            entry=entries[0],
            original_name=checked.original_name,
            size=checked.size,
            content_type=checked.content_type,
        )
        first.file.save(f"file.{checked.extension}", ContentFile(checked.content), save=False)
        Attachment.objects.bulk_create(
            [first]
            + [
                Attachment(
                    establishment=entry.establishment,
                    entry=entry,
                    file=first.file.name,
                    original_name=checked.original_name,
                    size=checked.size,
                    content_type=checked.content_type,
                )
                for entry in entries[1:]
            ]
        )


def do_write(
    *,
    actor: Any,
    students: Sequence[Any],
    data: EntryData,
    audience: str = "",
    attachments: Sequence[CheckedFile] = (),
    now: datetime | None = None,
) -> list[Entry]:
    """Write one entry per student (a class or group send shares a batch) and tell each
    student's legal guardians. A fixed number of queries whatever the number of students."""
    now = now or timezone.now()
    students = list(students)
    _check_entry(actor, data, students, now)
    batch = uuid.uuid4() if len(students) > 1 else None
    with transaction.atomic():
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    establishment=actor.establishment,
                    school_year=actor.school_year,
                    student=student,
                    author=actor.user,
                    batch=batch,
                    audience=audience,
                    created_at=now,
                    **_values(data),
                )
                for student in students
            ]
        )
        if attachments:
            _store_attachments(entries, attachments)
        first = entries[0]
        record(
            actor=actor,
            establishment=actor.establishment,
            action="notebook.write",
            target=first if batch is None else None,
            after={
                **snapshot(first, ENTRY_FIELDS),
                "students": len(entries),
                "batch": str(batch) if batch else None,
                "audience": audience,
            },
        )
        guardians = legal_guardians(students)
        recipients = [g for student in students for g in guardians.get(student.pk, [])]
        if batch is None:
            url = reverse("notebook:entry", args=[first.public_id])
            title = _("Carnet de %(name)s : %(title)s") % {
                "name": students[0].first_name,
                "title": first.title,
            }
        else:
            url = reverse("notebook:open_batch", args=[batch])
            title = _("Carnet de correspondance : %(title)s") % {"title": first.title}
        notify(
            recipients=recipients,
            establishment=actor.establishment,
            kind=NotificationKind.NOTEBOOK,
            title=title,
            body=first.text,
            url=url,
            actor=actor,
            now=now,
        )
        forget_panels("notebook", [g.pk for g in recipients])
    return entries


def _is_legal_guardian(actor: Any, entry: Entry) -> bool:
    return Guardianship.objects.filter(
        guardian=actor.user, student_id=entry.student_id, legal=True
    ).exists()


def _sign(actor: Any, entry: Entry, now: datetime) -> bool:
    """Record the actor's signature once; set the entry signed when its rule is met. Returns
    whether a signature was added."""
    _signature, created = Signature.objects.get_or_create(
        entry=entry,
        guardian=actor.user,
        defaults={"establishment_id": entry.establishment_id, "signed_at": now},
    )
    if not created or entry.signed_at is not None:
        return created
    complete = True
    if entry.every_guardian:
        expected = {g.pk for g in legal_guardians([entry.student_id]).get(entry.student_id, [])}
        signed = set(Signature.objects.filter(entry=entry).values_list("guardian_id", flat=True))
        complete = expected <= signed
    if complete:
        entry.signed_at = now
        entry.save(update_fields=["signed_at"])
    return created


def _signed_changed(entry: Entry) -> None:
    guardians = legal_guardians([entry.student_id]).get(entry.student_id, [])
    forget_panels("notebook", [g.pk for g in guardians])


def do_sign(*, actor: Any, entry: Entry, now: datetime | None = None) -> Entry:
    """A guardian's « vu et signé ». Signing again changes nothing."""
    now = now or timezone.now()
    if not policies.can_sign(actor, entry) or not _is_legal_guardian(actor, entry):
        raise PermissionDenied
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if _sign(actor, entry, now):
            record(
                actor=actor,
                establishment=entry.establishment,
                action="notebook.sign",
                target=entry,
                after={"signed_at": now.isoformat(), "entry_signed": entry.signed_at is not None},
            )
            _signed_changed(entry)
    return entry


def do_answer(*, actor: Any, entry: Entry, answer: bool, now: datetime | None = None) -> Entry:
    """A guardian's yes or no to an authorisation, changeable until the deadline; answering
    also signs the entry."""
    now = now or timezone.now()
    if not policies.is_family(actor, entry) or not _is_legal_guardian(actor, entry):
        raise PermissionDenied
    if not entry.is_authorisation:
        raise PermissionDenied
    if not entry.answer_open(now):
        raise ValidationError(
            _("La date limite de réponse est passée : contactez l'établissement."),
            code="closed",
        )
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        before = snapshot(entry, ["answer", "answered_by", "answered_at"])
        entry.answer = answer
        entry.answered_by = actor.user
        entry.answered_at = now
        entry.save(update_fields=["answer", "answered_by", "answered_at"])
        _sign(actor, entry, now)
        record(
            actor=actor,
            establishment=entry.establishment,
            action="notebook.answer",
            target=entry,
            before=before,
            after=snapshot(entry, ["answer", "answered_by", "answered_at"]),
        )
        _signed_changed(entry)
    return entry


def school_life_people(establishment: Any, year: Any) -> list[Any]:
    """The CPEs of the establishment, or its head when it has none (1 query)."""
    rows = list(
        Membership.objects.filter(establishment=establishment, school_year=year, is_active=True)
        .exclude(functions=[])
        .select_related("person")
    )
    for wanted in (Function.CPE, Function.HEAD):
        people = [m.person for m in rows if wanted in m.functions and m.person.is_active]
        if people:
            return people
    return []


def do_ask(
    *,
    actor: Any,
    student: Any,
    kind: str,
    recipient: str,
    title: str,
    text: str,
    guardians_only: bool = False,
    attachments: Sequence[CheckedFile] = (),
    now: datetime | None = None,
) -> Entry:
    """A guardian writes to the school about their child: a request or a message, to the
    head teacher of the child's class or to school life."""
    now = now or timezone.now()
    if kind not in FAMILY_KINDS or recipient not in Recipient.values:
        raise PermissionDenied
    if student.pk not in actor.child_ids:
        raise PermissionDenied
    _check_text(title, text)
    enrolment = (
        Enrolment.objects.filter(student=student, school_year=actor.school_year)
        .select_related("school_class__head_teacher", "establishment", "school_year")
        .first()
    )
    if enrolment is None:
        raise ValidationError(
            _("Votre enfant n'est inscrit dans aucun établissement cette année."), code="enrolment"
        )
    establishment = enrolment.establishment
    if recipient == Recipient.HEAD_TEACHER:
        head = enrolment.school_class.head_teacher
        if head is None:
            raise ValidationError(
                _("La classe n'a pas de professeur principal : écrivez à la vie scolaire."),
                code="no_head_teacher",
            )
        addressees = [head]
    else:
        head = None
        addressees = school_life_people(establishment, enrolment.school_year)
    with transaction.atomic():
        entry = Entry.objects.create(
            establishment=establishment,
            school_year=enrolment.school_year,
            student=student,
            author=actor.user,
            kind=kind,
            title=title.strip(),
            text=text.strip(),
            guardians_only=guardians_only,
            recipient=recipient,
            addressed_to=head,
            created_at=now,
        )
        if attachments:
            _store_attachments([entry], attachments)
        record(
            actor=actor,
            establishment=establishment,
            action="notebook.ask",
            target=entry,
            after=snapshot(entry, ["kind", "title", "recipient", "addressed_to", "student"]),
        )
        notify(
            recipients=addressees,
            establishment=establishment,
            kind=NotificationKind.NOTEBOOK,
            title=_("%(kind)s au sujet de %(name)s : %(title)s")
            % {
                "kind": entry.get_kind_display(),
                "name": f"{student.first_name} {student.last_name}",
                "title": entry.title,
            },
            body=entry.text,
            url=reverse("notebook:entry", args=[entry.public_id]),
            actor=actor,
            now=now,
        )
    return entry


def do_reply(*, actor: Any, entry: Entry, text: str, now: datetime | None = None) -> Reply:
    """A message in the entry's thread; the other side is notified."""
    now = now or timezone.now()
    if not policies.can_reply(actor, entry):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError(_("Écrivez votre réponse."), code="text")
    family = policies.is_family(actor, entry)
    with transaction.atomic():
        reply = Reply.objects.create(
            establishment=entry.establishment,
            entry=entry,
            author=actor.user,
            text=text.strip(),
            created_at=now,
        )
        record(
            actor=actor,
            establishment=entry.establishment,
            action="notebook.reply",
            target=entry,
            after={"reply": reply.pk},
        )
        if not family:
            recipients = legal_guardians([entry.student_id]).get(entry.student_id, [])
        else:
            if not entry.from_family:
                recipients = [entry.author]
            elif entry.addressed_to is not None:
                recipients = [entry.addressed_to]
            else:
                recipients = school_life_people(entry.establishment, entry.school_year)
            # Those of the staff who already answered in the thread hear of it too.
            staff = Reply.objects.filter(entry=entry).exclude(
                Q(author=actor.user) | Q(author__in=legal_guardian_ids(entry))
            )
            recipients += [r.author for r in staff.select_related("author")]
        recipients = [p for p in recipients if p is not None and p.pk != actor.user.pk]
        notify(
            recipients=recipients,
            establishment=entry.establishment,
            kind=NotificationKind.NOTEBOOK,
            title=_("Réponse dans le carnet : %(title)s") % {"title": entry.title},
            body=reply.text,
            url=reverse("notebook:entry", args=[entry.public_id]),
            actor=actor,
            now=now,
        )
    return reply


def legal_guardian_ids(entry: Entry) -> Any:
    return Guardianship.objects.filter(student_id=entry.student_id).values("guardian_id")


def reminder_delay(establishment: Any) -> int:
    found = NotebookSettings.objects.filter(establishment=establishment).first()
    return found.reminder_days if found is not None else NotebookSettings().reminder_days


def do_update_settings(*, actor: Any, establishment: Any, reminder_days: int) -> NotebookSettings:
    from preau.directory.policies import administered_establishments

    if not administered_establishments(actor).filter(pk=establishment.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        settings, _created = NotebookSettings.objects.get_or_create(establishment=establishment)
        before = snapshot(settings, ["reminder_days"])
        settings.reminder_days = reminder_days
        settings.save(update_fields=["reminder_days"])
        record(
            actor=actor,
            establishment=establishment,
            action="notebook.settings.update",
            target=settings,
            before=before,
            after=snapshot(settings, ["reminder_days"]),
        )
    return settings


def do_remind_unsigned(*, now: datetime | None = None) -> int:
    """Remind, once per entry, the guardians who have not signed a school entry written more
    than the establishment's delay ago (the ``preau remind_notebook`` command, run daily or
    more often). Returns the entries reminded.

    Queries: the settings, then per establishment with pending entries the entries, their
    signatures, their guardians, one notification insert and one update.
    """
    now = now or timezone.now()
    delays = {s.establishment_id: s.reminder_days for s in NotebookSettings.objects.all()}
    default = NotebookSettings().reminder_days
    shortest = min([d for d in (default, *delays.values()) if d], default=None)
    if shortest is None:
        return 0
    pending = Entry.objects.filter(
        kind__in=SCHOOL_KINDS,
        signed_at__isnull=True,
        reminded_at__isnull=True,
        created_at__lte=now - timedelta(days=shortest),
    )
    establishment_ids = set(pending.values_list("establishment_id", flat=True).distinct())
    reminded = 0
    for establishment_id in sorted(establishment_ids):
        days = delays.get(establishment_id, default)
        if days == 0:
            continue
        entries = list(
            pending.filter(
                establishment_id=establishment_id, created_at__lte=now - timedelta(days=days)
            )
            .select_related("student", "establishment")
            .order_by("created_at")
        )
        if not entries:
            continue
        signed: dict[int, set[int]] = defaultdict(set)
        for entry_id, guardian_id in Signature.objects.filter(entry__in=entries).values_list(
            "entry_id", "guardian_id"
        ):
            signed[entry_id].add(guardian_id)
        guardians = legal_guardians([e.student_id for e in entries])
        with transaction.atomic():
            for entry in entries:
                waiting = [
                    g for g in guardians.get(entry.student_id, []) if g.pk not in signed[entry.pk]
                ]
                notify(
                    recipients=waiting,
                    establishment=entry.establishment,
                    kind=NotificationKind.NOTEBOOK,
                    title=_("À signer : %(title)s (carnet de %(name)s)")
                    % {"title": entry.title, "name": entry.student.first_name},
                    body=entry.text,
                    url=reverse("notebook:entry", args=[entry.public_id]),
                    now=now,
                )
            Entry.objects.filter(pk__in=[e.pk for e in entries]).update(reminded_at=now)
        reminded += len(entries)
    return reminded
