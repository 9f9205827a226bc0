"""Every write of the report cards: opening a council, the comments, the council's decisions,
validation, publication (with its stored PDFs) and the families' notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record
from preau.directory.models import (
    Enrolment,
    GroupMembership,
    Guardianship,
    Period,
    SchoolClass,
    Subject,
    TeachingGroup,
)
from preau.notifications.actions import notify
from preau.notifications.models import Kind
from preau.reportcards import policies
from preau.reportcards.models import (
    GENERAL_COMMENT_MAX,
    SUBJECT_COMMENT_MAX,
    ClassCouncil,
    CouncilDecision,
    CouncilState,
    ReportCard,
    SubjectComment,
)


class NotAllowed(PermissionDenied):
    """The actor may see this council but not do that to it."""


# -- opening ---------------------------------------------------------------------------------------


@transaction.atomic
def do_open_council(
    *, actor: Any, period: Period, school_class: SchoolClass, now: datetime | None = None
) -> ClassCouncil:
    """The council of a class for a period, with a report card for each student enrolled.

    Idempotent: opened again, it adds the report cards of students who joined the class since.
    """
    if not (policies.directs(actor) and actor.establishment.pk == school_class.establishment_id):
        raise NotAllowed
    if period.establishment_id != school_class.establishment_id or (
        period.school_year_id != school_class.school_year_id
    ):
        raise ValidationError(_("Cette période n'est pas celle de la classe."))
    now = now or timezone.now()
    council, created = ClassCouncil.objects.get_or_create(
        period=period,
        school_class=school_class,
        defaults={
            "establishment_id": school_class.establishment_id,
            "school_year_id": school_class.school_year_id,
            "opened_at": now,
        },
    )
    students = Enrolment.objects.filter(
        school_class=school_class, school_year_id=school_class.school_year_id
    ).values_list("student_id", flat=True)
    ReportCard.objects.bulk_create(
        [
            ReportCard(establishment_id=council.establishment_id, council=council, student_id=s)
            for s in students
        ],
        ignore_conflicts=True,
    )
    if created:
        record(
            actor=actor,
            establishment=council.establishment,
            action="reportcards.open",
            target=council,
        )
    return council


def do_open_period(*, actor: Any, period: Period, now: datetime | None = None) -> int:
    """Open the councils of every class of the period's establishment and year."""
    classes = SchoolClass.objects.filter(
        establishment_id=period.establishment_id, school_year_id=period.school_year_id
    )
    with transaction.atomic():
        for school_class in classes:
            do_open_council(actor=actor, period=period, school_class=school_class, now=now)
    return len(classes)


# -- comments --------------------------------------------------------------------------------------


@dataclass
class CommentInput:
    """One cell of a grid as sent: the text, the version it was typed over and (from the plain
    form) the text it started from, which tells a cell left untouched from one typed in."""

    card: ReportCard
    text: str
    version: int
    original: str | None = None


@dataclass
class GeneralInput:
    card: ReportCard
    comment: str
    decision: str
    version: int
    original: tuple[str, str] | None = None


class GridRefused(ValidationError):
    """Nothing was written: ``errors`` says why, by report card public id, and ``current`` holds
    the words saved elsewhere meanwhile."""

    def __init__(self, errors: dict[str, str], current: dict[str, Any]) -> None:
        super().__init__(list(errors.values()))
        self.errors = errors
        self.current = current


def _name(card: ReportCard) -> str:
    return f"{card.student.first_name} {card.student.last_name}"


def _too_long(card: ReportCard, text: str, limit: int) -> str:
    return _(
        "L'appréciation de %(name)s fait %(count)d caractères : %(limit)d au plus. "
        "Raccourcissez-la pour l'enregistrer."
    ) % {"name": _name(card), "count": len(text), "limit": limit}


def _conflict(card: ReportCard) -> str:
    return _(
        "L'appréciation de %(name)s a été modifiée ailleurs pendant votre saisie : la voici, "
        "reprenez-la puis enregistrez de nouveau."
    ) % {"name": _name(card)}


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


@transaction.atomic
def do_save_subject_comments(
    *,
    actor: Any,
    council: ClassCouncil,
    subject: Subject,
    entries: list[CommentInput],
    group: TeachingGroup | None = None,
    now: datetime | None = None,
) -> list[SubjectComment]:
    """Save a teacher's comments for one subject: all of them, or none (``GridRefused``).

    With a group, the subject is the group's (found through
    ``policies.access_council_group``) and every report card must be one of its students'.
    A cell sent with an older version than the one stored is refused when its text differs
    from what is stored (someone else wrote there meanwhile), rather than overwriting.
    """
    if group is None:
        allowed = policies.can_write_subject(actor, council, subject)
    else:
        allowed = policies.can_write_group(actor, council, group, subject)
    if not allowed or any(e.card.council_id != council.pk for e in entries):
        raise NotAllowed
    if group is not None and entries:
        members = set(
            GroupMembership.objects.filter(
                group=group, student_id__in=[e.card.student_id for e in entries]
            ).values_list("student_id", flat=True)
        )
        if any(e.card.student_id not in members for e in entries):
            raise NotAllowed
    now = now or timezone.now()
    ClassCouncil.objects.select_for_update().filter(pk=council.pk).first()
    stored = {
        c.report_card_id: c
        for c in SubjectComment.objects.filter(
            report_card__in=[e.card for e in entries], subject=subject
        )
    }
    errors: dict[str, str] = {}
    current: dict[str, Any] = {}
    changes = []
    for entry in entries:
        key = str(entry.card.public_id)
        text = _clean(entry.text)
        if entry.original is not None and text == _clean(entry.original):
            continue
        comment = stored.get(entry.card.pk)
        version = comment.version if comment else 0
        saved = comment.text if comment else ""
        if text == saved:
            continue
        if len(text) > SUBJECT_COMMENT_MAX:
            errors[key] = _too_long(entry.card, text, SUBJECT_COMMENT_MAX)
        elif entry.version != version:
            errors[key] = _conflict(entry.card)
            current[key] = comment
        else:
            changes.append((entry.card, comment, text))
    if errors:
        transaction.set_rollback(True)
        raise GridRefused(errors, current)
    written = []
    for card, comment, text in changes:
        if comment is None:
            comment = SubjectComment.objects.create(
                establishment_id=council.establishment_id,
                report_card=card,
                subject=subject,
                text=text,
                version=1,
                author=actor.user,
                updated_at=now,
            )
        else:
            comment.text = text
            comment.version += 1
            comment.author = actor.user
            comment.updated_at = now
            comment.save(update_fields=["text", "version", "author", "updated_at"])
        written.append(comment)
    return written


@transaction.atomic
def do_save_general(
    *,
    actor: Any,
    council: ClassCouncil,
    entries: list[GeneralInput],
    now: datetime | None = None,
) -> list[ReportCard]:
    """Save general comments and decisions: all of them, or none (``GridRefused``)."""
    if not policies.can_write_general(actor, council):
        raise NotAllowed
    now = now or timezone.now()
    ClassCouncil.objects.select_for_update().filter(pk=council.pk).first()
    stored = {
        c.pk: c
        for c in ReportCard.objects.filter(
            council=council, pk__in=[e.card.pk for e in entries]
        ).select_related("student")
    }
    errors: dict[str, str] = {}
    current: dict[str, Any] = {}
    changes = []
    for entry in entries:
        card = stored.get(entry.card.pk)
        if card is None:
            continue
        key = str(card.public_id)
        comment = _clean(entry.comment)
        decision = entry.decision
        if decision not in CouncilDecision.values:
            errors[key] = _("Décision inconnue pour %(name)s.") % {"name": _name(card)}
            continue
        if entry.original is not None and (comment, decision) == (
            _clean(entry.original[0]),
            entry.original[1],
        ):
            continue
        if (comment, decision) == (card.general_comment, card.decision):
            continue
        if len(comment) > GENERAL_COMMENT_MAX:
            errors[key] = _too_long(card, comment, GENERAL_COMMENT_MAX)
        elif entry.version != card.version:
            errors[key] = _conflict(card)
            current[key] = card
        else:
            changes.append((card, comment, decision))
    if errors:
        transaction.set_rollback(True)
        raise GridRefused(errors, current)
    for card, comment, decision in changes:
        card.general_comment = comment
        card.decision = decision
        card.version += 1
        card.updated_by = actor.user
        card.updated_at = now
        card.save(
            update_fields=["general_comment", "decision", "version", "updated_by", "updated_at"]
        )
    return [card for card, _comment, _decision in changes]


# -- validation and publication --------------------------------------------------------------------


def _set_state(
    *, actor: Any, council: ClassCouncil, expected: str, state: str, fields: dict[str, Any]
) -> ClassCouncil:
    if not policies.can_decide(actor, council):
        raise NotAllowed
    locked = ClassCouncil.objects.select_for_update().get(pk=council.pk)
    if locked.state != expected:
        raise ValidationError(
            _("Ce conseil est maintenant « %(state)s » : rechargez la page.")
            % {"state": locked.get_state_display()}
        )
    before = {"state": locked.state}
    council.state = state
    for name, value in fields.items():
        setattr(council, name, value)
    council.save(update_fields=["state", *fields])
    record(
        actor=actor,
        establishment=council.establishment,
        action=f"reportcards.{state}",
        target=council,
        before=before,
        after={"state": state},
    )
    return council


@transaction.atomic
def do_validate(*, actor: Any, council: ClassCouncil, now: datetime | None = None) -> ClassCouncil:
    """Close the entry: the comments and decisions are locked until reopened or published."""
    return _set_state(
        actor=actor,
        council=council,
        expected=CouncilState.DRAFT,
        state=CouncilState.VALIDATED,
        fields={"validated_by": actor.user, "validated_at": now or timezone.now()},
    )


@transaction.atomic
def do_reopen(*, actor: Any, council: ClassCouncil) -> ClassCouncil:
    """Back to entry after validation (never after publication: families have the PDFs)."""
    return _set_state(
        actor=actor,
        council=council,
        expected=CouncilState.VALIDATED,
        state=CouncilState.DRAFT,
        fields={"validated_by": None, "validated_at": None},
    )


@transaction.atomic
def do_publish(*, actor: Any, council: ClassCouncil, now: datetime | None = None) -> ClassCouncil:
    """Publish a validated council: families see its report cards; their PDFs are made and
    stored by a background task, which tells the families once they are all there."""
    from preau.reportcards.tasks import enqueue_pdfs

    council = _set_state(
        actor=actor,
        council=council,
        expected=CouncilState.VALIDATED,
        state=CouncilState.PUBLISHED,
        fields={"published_by": actor.user, "published_at": now or timezone.now()},
    )
    transaction.on_commit(lambda: enqueue_pdfs(council.pk))
    return council


# -- stored PDFs and the families' notifications ---------------------------------------------------


def do_store_pdf(card: ReportCard, *, now: datetime | None = None) -> ReportCard:
    """Make and store the PDF of a published report card, once: afterwards it never changes."""
    from preau.reportcards.pdf import card_pdfs

    with transaction.atomic():
        locked = ReportCard.objects.select_for_update().get(pk=card.pk)
        if locked.pdf:
            return locked
        if locked.council.state != CouncilState.PUBLISHED:
            raise ValidationError(_("Seul un bulletin publié est conservé."))
        content = card_pdfs(locked.council, [locked])[locked.pk]
        locked.pdf.save(f"{locked.public_id}.pdf", ContentFile(content), save=False)
        locked.pdf_made_at = now or timezone.now()
        locked.save(update_fields=["pdf", "pdf_made_at"])
    return locked


def do_notify_families(council: ClassCouncil, *, now: datetime | None = None) -> int:
    """Tell the students and their legal guardians that the report cards are out (once)."""
    with transaction.atomic():
        locked = ClassCouncil.objects.select_for_update().select_related("period", "school_class")
        council = locked.get(pk=council.pk)
        if council.notified_at is not None or council.state != CouncilState.PUBLISHED:
            return 0
        students = list(
            ReportCard.objects.filter(council=council).values_list("student_id", flat=True)
        )
        guardians = [
            link.guardian
            for link in Guardianship.objects.filter(
                student_id__in=students, legal=True, guardian__is_active=True
            ).select_related("guardian")
        ]
        from django.contrib.auth import get_user_model

        pupils = list(get_user_model().objects.filter(pk__in=students, is_active=True))
        title = _("Bulletin du %(period)s disponible") % {"period": str(council.period).lower()}
        notified = notify(
            recipients=[*pupils, *guardians],
            establishment=council.establishment,
            kind=Kind.GRADE,
            title=title,
            body=_("Le bulletin de la %(name)s est en ligne.") % {"name": council.school_class},
            url=reverse("reportcards:index"),
            now=now,
        )
        council.notified_at = now or timezone.now()
        council.save(update_fields=["notified_at"])
    return len(notified)
