"""Every change of the grades: one transaction each, nothing written on any error, audit rows
for changes once marks are published, families notified at publication time.

``record_marks`` is the one way marks are written: the grid, the class grid and, later, tools
that post scores (an LTI tool) all call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record as audit
from preau.audit.actions import snapshot
from preau.directory.models import Establishment, Guardianship, Level, SchoolClass, Subject
from preau.directory.years import refuse_closed_year
from preau.grades import policies, publication, selectors
from preau.grades.models import (
    MAX_SCALE,
    Assessment,
    AssessmentKind,
    GradeSettings,
    Mark,
    MarkCode,
    SubjectCoefficient,
    format_value,
)
from preau.notifications.actions import notify
from preau.notifications.models import Kind, Notification
from preau.portal.panel_cache import forget_panels

ASSESSMENT_FIELDS = ["title", "date", "scale", "coefficient", "kind", "graded", "period"]
MAX_COEFFICIENT = Decimal(100)


# -- parsing -------------------------------------------------------------------------------------


def parse_decimal(text: str) -> Decimal | None:
    """A number typed the French way (``12,5``) or the English way (``12.5``); None if not one."""
    try:
        value = Decimal(text.strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_mark(text: str, scale: Decimal) -> tuple[Decimal | None, str]:
    """(value, code) of what was typed in a cell; ('', '') clears it. Raises ValidationError."""
    cleaned = text.strip().upper()
    if not cleaned:
        return None, ""
    if cleaned in MarkCode.values:
        return None, cleaned
    value = parse_decimal(cleaned)
    if value is None:
        raise ValidationError(
            _("« %(text)s » n'est pas une note (un nombre, ABS, DISP ou NN)."),
            code="mark",
            params={"text": text.strip()[:20]},
        )
    if value < 0:
        raise ValidationError(_("une note ne peut pas être négative."), code="negative")
    if value > scale:
        raise ValidationError(
            _("la note %(value)s dépasse le barème (%(scale)s)."),
            code="above_scale",
            params={"value": format_value(value), "scale": format_value(scale)},
        )
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("une note a au plus deux décimales."), code="decimals")
    return value, ""


# -- assessments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentInput:
    title: str
    date: date
    scale: Decimal = Decimal(20)
    coefficient: Decimal = Decimal(1)
    kind: str = AssessmentKind.NORMAL
    graded: bool = True


def _check(actor: Any, establishment: Establishment, data: AssessmentInput) -> Any:
    """Validate an assessment's fields; return its period."""
    errors = []
    if not data.title.strip():
        errors.append(_("Donnez un intitulé au devoir."))
    if not Decimal(0) < data.scale <= MAX_SCALE:
        errors.append(_("Le barème est un nombre positif (au plus 1000)."))
    if data.coefficient < 0:
        errors.append(_("Le coefficient ne peut pas être négatif."))
    elif data.coefficient > MAX_COEFFICIENT:
        errors.append(_("Le coefficient est au plus 100."))
    if data.kind not in AssessmentKind.values:
        errors.append(_("Choisissez un type de devoir."))
    period = selectors.period_of(establishment.pk, actor.school_year.pk, data.date)
    if period is None:
        errors.append(_("Aucune période de notation de l'année ne contient cette date."))
    if errors:
        raise ValidationError(errors)
    return period


@transaction.atomic
def do_create_assessment(
    *,
    actor: Any,
    subject: Subject,
    data: AssessmentInput,
    school_class: SchoolClass | None = None,
    group: Any = None,
) -> Assessment:
    """A teacher creates an assessment for a subject they teach to the class (or group)."""
    establishment = actor.establishment
    refuse_closed_year(establishment.pk, actor.school_year.pk)
    class_id = school_class.pk if school_class is not None else None
    group_id = group.pk if group is not None else None
    if (class_id is None) == (group_id is None) or not policies.teaches(
        actor, subject.pk, class_id, group_id
    ):
        raise ValidationError(
            _("Vous n'enseignez pas cette matière à cette classe ou à ce groupe."), code="teach"
        )
    period = _check(actor, establishment, data)
    return Assessment.objects.create(
        establishment=establishment,
        school_year=actor.school_year,
        school_class=school_class,
        group=group,
        subject=subject,
        period=period,
        teacher=actor.user,
        title=data.title.strip(),
        date=data.date,
        scale=data.scale,
        coefficient=data.coefficient,
        kind=data.kind,
        graded=data.graded,
    )


@transaction.atomic
def do_update_assessment(
    *, actor: Any, assessment: Assessment, data: AssessmentInput, now: datetime | None = None
) -> Assessment:
    """Change an assessment; a scale below a mark already entered is refused (naming the
    student). Audited once the marks are published."""
    if not policies.can_edit(actor, assessment):
        raise ValidationError(_("Vous ne pouvez pas modifier ce devoir."), code="refused")
    refuse_closed_year(assessment.establishment_id, assessment.school_year_id)
    period = _check(actor, assessment.establishment, data)
    above = (
        Mark.objects.filter(assessment=assessment, value__gt=data.scale)
        .select_related("student")
        .order_by("student__last_name")
        .first()
    )
    if above is not None:
        raise ValidationError(
            _("%(student)s a %(value)s : le barème ne peut pas descendre sous cette note.")
            % {"student": above.student.get_full_name(), "value": format_value(above.value)},
            code="scale",
        )
    if not data.graded and Mark.objects.filter(assessment=assessment).exists():
        raise ValidationError(
            _("Des notes sont saisies : effacez-les avant de rendre le devoir non noté."),
            code="graded",
        )
    before = snapshot(assessment, ASSESSMENT_FIELDS)
    assessment.title = data.title.strip()
    assessment.date = data.date
    assessment.scale = data.scale
    assessment.coefficient = data.coefficient
    assessment.kind = data.kind
    assessment.graded = data.graded
    assessment.period = period
    assessment.save(update_fields=[*ASSESSMENT_FIELDS, "updated_at"])
    selectors.bump_version(assessment.establishment_id)
    if assessment.is_published(now):
        audit(
            actor=actor,
            establishment=assessment.establishment,
            action="grades.assessment.update",
            target=assessment,
            before=before,
            after=snapshot(assessment, ASSESSMENT_FIELDS),
        )
        _forget_family_panels(assessment)
    return assessment


def _anchor(assessment: Assessment) -> str:
    """The link of an assessment's notification; it also finds the ones still to deliver."""
    return f"{reverse('grades:marks')}?devoir={assessment.public_id}"


@transaction.atomic
def do_delete_assessment(
    *, actor: Any, assessment: Assessment, now: datetime | None = None
) -> None:
    """Delete an assessment and its marks (audited when it had marks); notifications of it not
    delivered yet go with it."""
    if not policies.can_edit(actor, assessment):
        raise ValidationError(_("Vous ne pouvez pas supprimer ce devoir."), code="refused")
    refuse_closed_year(assessment.establishment_id, assessment.school_year_id)
    now = now or timezone.now()
    marks = {m.student_id: m.display for m in Mark.objects.filter(assessment=assessment)}
    if marks:
        audit(
            actor=actor,
            establishment=assessment.establishment,
            action="grades.assessment.delete",
            target=assessment,
            before={**snapshot(assessment, ASSESSMENT_FIELDS), "marks": len(marks)},
        )
    Notification.objects.filter(
        establishment_id=assessment.establishment_id,
        kind=Kind.GRADE,
        url=_anchor(assessment),
        deliver_at__gt=now,
    ).delete()
    if assessment.is_published(now):
        _forget_family_panels(assessment)
    assessment.delete()
    selectors.bump_version(assessment.establishment_id)


# -- marks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkEntry:
    """One cell as sent: what was typed, the comment (None: unchanged) and the version of the
    mark the sender read (0: no mark; None: no check, e.g. a tool posting scores)."""

    text: str
    comment: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class Conflict:
    """A cell someone else changed since it was read: their value is kept and shown."""

    assessment: Assessment
    student: Any
    theirs: str
    version: int
    yours: str


class MarksRefused(ValidationError):
    """Nothing was saved: the French messages (naming students), the conflicts, and the cells
    (assessment id, student id) at fault."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.conflicts: list[Conflict] = []
        self.cells: set[tuple[int, int]] = set()
        super().__init__(_("Aucune note n'a été enregistrée."), code="refused")

    @property
    def messages(self) -> list[str]:
        conflicts = [
            _(
                "%(student)s : la note a été modifiée par quelqu'un d'autre entre-temps "
                "(%(theirs)s) ; la vôtre (%(yours)s) n'a pas été enregistrée."
            )
            % {
                "student": c.student.get_full_name(),
                "theirs": c.theirs or _("vide"),
                "yours": c.yours or _("vide"),
            }
            for c in self.conflicts
        ]
        return [*self.errors, *conflicts]

    def __str__(self) -> str:
        return " ".join(self.messages)


@dataclass
class MarksSaved:
    changed: int = 0
    versions: dict[tuple[int, int], int] = field(default_factory=dict)
    publish_at: dict[int, datetime | None] = field(default_factory=dict)


def _prepare(
    assessment: Assessment,
    entries: Mapping[str, MarkEntry],
    students: list[Any],
    existing: dict[int, Mark],
    refused: MarksRefused,
) -> list[tuple[Any, Decimal | None, str, str | None]]:
    """Check one assessment's cells; return (student, value, code, comment) of those that change."""
    by_public_id = {str(s.public_id): s for s in students}
    changes = []
    for key, entry in entries.items():
        student = by_public_id.get(str(key))
        if student is None:
            refused.errors.append(
                _("Un élève ne fait pas partie de la classe ou du groupe du devoir « %(title)s ».")
                % {"title": assessment.title}
            )
            continue
        name = student.get_full_name()
        try:
            value, code = parse_mark(entry.text, assessment.scale)
        except ValidationError as error:
            refused.errors.append(f"{name} : {' '.join(error.messages)}")
            refused.cells.add((assessment.pk, student.pk))
            continue
        comment = entry.comment.strip() if entry.comment is not None else None
        if comment is not None and len(comment) > 300:
            refused.errors.append(
                _("%(student)s : le commentaire dépasse 300 caractères.") % {"student": name}
            )
            refused.cells.add((assessment.pk, student.pk))
            continue
        current = existing.get(student.pk)
        same_mark = (current is not None and current.value == value and current.code == code) or (
            current is None and value is None and not code
        )
        same_comment = comment is None or comment == (current.comment if current else "")
        if same_mark and same_comment:
            continue
        if entry.version is not None and entry.version != (current.version if current else 0):
            refused.conflicts.append(
                Conflict(
                    assessment=assessment,
                    student=student,
                    theirs=current.display if current is not None else "",
                    version=current.version if current is not None else 0,
                    yours=entry.text.strip(),
                )
            )
            refused.cells.add((assessment.pk, student.pk))
            continue
        if (value is not None or code) and comment is None and current is not None:
            comment = current.comment
        changes.append((student, value, code, comment))
    return changes


def _write(
    actor: Any,
    assessment: Assessment,
    changes: list[tuple[Any, Decimal | None, str, str | None]],
    existing: dict[int, Mark],
    saved: MarksSaved,
    now: datetime,
) -> None:
    to_create, to_update, to_delete = [], [], []
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for student, value, code, comment in changes:
        current = existing.get(student.pk)
        label = f"{student.get_full_name()} ({student.public_id})"
        before[label] = current.display if current is not None else ""
        if value is None and not code:
            if current is not None:
                to_delete.append(current.pk)
            after[label] = ""
            saved.versions[(assessment.pk, student.pk)] = 0
            continue
        if current is None:
            mark = Mark(
                establishment_id=assessment.establishment_id,
                assessment=assessment,
                student_id=student.pk,
                value=value,
                code=code,
                comment=comment or "",
                updated_by=actor.user,
                updated_at=now,
            )
            to_create.append(mark)
        else:
            mark = current
            mark.value, mark.code, mark.comment = value, code, comment or ""
            mark.version += 1
            mark.updated_by, mark.updated_at = actor.user, now
            to_update.append(mark)
        after[label] = mark.display
        saved.versions[(assessment.pk, student.pk)] = mark.version
    if to_delete:
        Mark.objects.filter(pk__in=to_delete).delete()
    if to_update:
        Mark.objects.bulk_update(
            to_update, ["value", "code", "comment", "version", "updated_by", "updated_at"]
        )
    if to_create:
        Mark.objects.bulk_create(to_create)
    saved.changed += len(changes)
    selectors.bump_version(assessment.establishment_id)
    if assessment.is_published(now):
        # Changed after families could see them: kept in the audit trail, one row per save.
        audit(
            actor=actor,
            establishment=assessment.establishment,
            action="grades.marks.update",
            target=assessment,
            before=before,
            after=after,
        )
        _forget_family_panels(assessment)
    elif assessment.publish_at is None and (to_create or to_update):
        schedule_publication(
            actor, assessment, publication.publication_time(assessment.establishment, now)
        )
    saved.publish_at[assessment.pk] = assessment.publish_at


@transaction.atomic
def record_grid(
    *,
    actor: Any,
    cells: Mapping[Assessment, Mapping[str, MarkEntry]],
    now: datetime | None = None,
) -> MarksSaved:
    """Record the cells of several assessments (a class grid) all together or not at all.

    ``cells`` maps each assessment to its entries by student public id. Raises MarksRefused
    (nothing written) on any invalid value, student outside the class or group, or cell changed
    by someone else since it was read. A fixed number of queries per assessment.
    """
    now = now or timezone.now()
    refused = MarksRefused()
    for assessment in cells:
        if not policies.can_edit(actor, assessment):
            raise ValidationError(
                _("Vous ne saisissez pas les notes de ce devoir."), code="refused"
            )
        if not assessment.graded:
            raise ValidationError(_("Ce devoir n'est pas noté."), code="not_graded")
        refuse_closed_year(assessment.establishment_id, assessment.school_year_id)
    # Locked until the transaction ends: two saves of one grid run one after the other.
    existing: dict[int, dict[int, Mark]] = {a.pk: {} for a in cells}
    for mark in Mark.objects.select_for_update().filter(assessment__in=[a.pk for a in cells]):
        existing[mark.assessment_id][mark.student_id] = mark
    audiences: dict[tuple[int | None, int | None], list[Any]] = {}
    prepared = []
    for assessment, entries in cells.items():
        key = (assessment.school_class_id, assessment.group_id)
        if key not in audiences:
            audiences[key] = selectors.audience_students(assessment)
        changes = _prepare(assessment, entries, audiences[key], existing[assessment.pk], refused)
        prepared.append((assessment, changes))
    if refused.errors or refused.conflicts:
        raise refused
    saved = MarksSaved()
    for assessment, changes in prepared:
        if changes:
            _write(actor, assessment, changes, existing[assessment.pk], saved, now)
        else:
            saved.publish_at[assessment.pk] = assessment.publish_at
    return saved


def record_marks(
    actor: Any,
    assessment: Assessment,
    values: Mapping[str, MarkEntry | str],
    *,
    now: datetime | None = None,
) -> MarksSaved:
    """Record marks of one assessment: ``values`` maps students' public ids to a MarkEntry or
    to what was typed (``"12,5"``, ``"ABS"``, ``""`` to clear; no version check)."""
    entries = {
        key: entry if isinstance(entry, MarkEntry) else MarkEntry(text=str(entry))
        for key, entry in values.items()
    }
    return record_grid(actor=actor, cells={assessment: entries}, now=now)


# -- publication ---------------------------------------------------------------------------------


def _families(assessment: Assessment) -> tuple[list[Any], list[Any]]:
    """The students of the assessment and their legal guardians (2 queries)."""
    students = selectors.audience_students(assessment)
    links = Guardianship.objects.filter(
        student_id__in=[s.pk for s in students], legal=True, guardian__is_active=True
    ).select_related("guardian")
    return students, [link.guardian for link in links]


def _forget_family_panels(assessment: Assessment) -> None:
    students, guardians = _families(assessment)
    forget_panels("grades", [p.pk for p in [*students, *guardians]])


def schedule_publication(
    actor: Any, assessment: Assessment, publish_at: datetime, *, url: str = ""
) -> None:
    """Fix the publication time and tell the families, delivered at that time (also called by
    the skills app for an assessment that evaluates skills without a mark)."""
    announce = not assessment.announced
    assessment.publish_at, assessment.announced = publish_at, True
    assessment.save(update_fields=["publish_at", "announced", "updated_at"])
    students, guardians = _families(assessment)
    if announce:
        notify(
            recipients=[*students, *guardians],
            establishment=assessment.establishment,
            kind=Kind.GRADE,
            title=(
                _("Nouvelle note en %(subject)s : %(title)s")
                if assessment.graded
                else _("Compétences évaluées en %(subject)s : %(title)s")
            )
            % {"subject": assessment.subject.label, "title": assessment.title},
            url=url or _anchor(assessment),
            actor=actor,
            now=publish_at,
        )
    forget_panels("grades", [p.pk for p in [*students, *guardians]])


@transaction.atomic
def do_publish_now(*, actor: Any, assessment: Assessment, now: datetime | None = None) -> None:
    """The teacher shows the marks at once; the notification, if held for the scheduled time,
    is brought forward (quiet hours still apply to it)."""
    if not policies.can_edit(actor, assessment):
        raise ValidationError(_("Vous ne pouvez pas publier ce devoir."), code="refused")
    refuse_closed_year(assessment.establishment_id, assessment.school_year_id)
    now = now or timezone.now()
    if assessment.is_published(now):
        return
    if assessment.announced:
        Notification.objects.filter(
            establishment_id=assessment.establishment_id,
            kind=Kind.GRADE,
            url=_anchor(assessment),
            deliver_at__gt=now,
        ).delete()
        assessment.announced = False
    schedule_publication(actor, assessment, now)
    selectors.bump_version(assessment.establishment_id)
    audit(
        actor=actor,
        establishment=assessment.establishment,
        action="grades.assessment.publish",
        target=assessment,
        after={"publish_at": now.isoformat()},
    )


# -- settings ------------------------------------------------------------------------------------


@transaction.atomic
def do_update_grade_settings(
    *, actor: Any, establishment: Establishment, delay_days: int, at: time
) -> GradeSettings:
    if not policies.can_manage_settings(actor, establishment):
        raise ValidationError(_("Seule la direction règle la publication des notes."))
    if not 0 <= delay_days <= 30:
        raise ValidationError(_("Le délai de publication va de 0 à 30 jours."))
    rule = GradeSettings.objects.select_for_update().filter(establishment=establishment).first()
    before = snapshot(rule, ["delay_days", "time"]) if rule is not None else None
    rule = rule or GradeSettings(establishment=establishment)
    rule.delay_days, rule.time = delay_days, at
    rule.save()
    audit(
        actor=actor,
        establishment=establishment,
        action="grades.settings.update",
        target=establishment,
        before=before,
        after=snapshot(rule, ["delay_days", "time"]),
    )
    return rule


@transaction.atomic
def do_set_subject_coefficient(
    *,
    actor: Any,
    establishment: Establishment,
    subject: Subject,
    coefficient: Decimal,
    school_class: SchoolClass | None = None,
    level: Level | None = None,
) -> SubjectCoefficient:
    """The weight of a subject in the overall average of a class or of a level (audited)."""
    if not policies.can_manage_settings(actor, establishment):
        raise ValidationError(_("Seule la direction fixe les coefficients des matières."))
    if coefficient < 0 or coefficient > MAX_COEFFICIENT:
        raise ValidationError(_("Le coefficient va de 0 à 100."))
    if (school_class is None) == (level is None):
        raise ValidationError(_("Choisissez une classe ou un niveau."))
    year = actor.school_year
    row, _created = SubjectCoefficient.objects.select_for_update().get_or_create(
        establishment=establishment,
        school_year=year,
        subject=subject,
        school_class=school_class,
        level=level,
    )
    before = {"coefficient": str(row.coefficient)} if not _created else None
    row.coefficient = coefficient
    row.save(update_fields=["coefficient"])
    selectors.bump_version(establishment.pk)
    audit(
        actor=actor,
        establishment=establishment,
        action="grades.coefficient.update",
        target=subject,
        before=before,
        after={"coefficient": str(coefficient), "for": str(school_class or level)},
    )
    return row
