"""Every change of skills and of the levels reached: one transaction each, audit rows for the
levels (a part of a student's assessment record, like marks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record as audit
from preau.grades import policies as grades_policies
from preau.grades.models import Assessment
from preau.skills import policies
from preau.skills.models import AssessedSkill, Component, ResultCode, Skill, SkillResult

LABEL_MAX = 200


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError(_("Écrivez l'intitulé de la compétence."))
    if len(label) > LABEL_MAX:
        raise ValidationError(
            _("L'intitulé tient en %(max)d caractères au plus.") % {"max": LABEL_MAX}
        )
    return label


@transaction.atomic
def do_create_skill(*, actor: Any, subject: Any, component: Component, label: str) -> Skill:
    """A new skill of ``subject`` attached to ``component`` (subject from managed_subjects)."""
    label = _clean_label(label)
    if not policies.managed_subjects(actor).filter(pk=subject.pk).exists():
        raise ValidationError(_("Vous ne définissez que les compétences de vos matières."))
    skill = Skill(
        establishment=actor.establishment,
        subject=subject,
        component=component,
        label=label,
        author=actor.user,
    )
    try:
        with transaction.atomic():
            skill.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Cette compétence existe déjà pour cette matière et cette composante.")
        ) from exc
    return skill


@transaction.atomic
def do_update_skill(
    *, actor: Any, skill: Skill, label: str, component: Component, is_active: bool
) -> Skill:
    if not policies.can_manage_skill(actor, skill):
        raise ValidationError(_("Vous ne modifiez que les compétences de vos matières."))
    skill.label = _clean_label(label)
    skill.component = component
    skill.is_active = is_active
    try:
        with transaction.atomic():
            skill.save(update_fields=["label", "component", "is_active"])
    except IntegrityError as exc:
        raise ValidationError(
            _("Cette compétence existe déjà pour cette matière et cette composante.")
        ) from exc
    return skill


# -- what an assessment evaluates ------------------------------------------------------------------


def _check_editable(actor: Any, assessment: Assessment) -> None:
    if not grades_policies.can_edit(actor, assessment):
        raise ValidationError(
            _("Seul l'enseignant de la matière et de la classe évalue ce devoir.")
        )


@transaction.atomic
def do_attach(
    *, actor: Any, assessment: Assessment, component: Component, skill: Skill | None = None
) -> AssessedSkill:
    """Let ``assessment`` evaluate ``skill`` (one of its subject), or ``component`` directly."""
    _check_editable(actor, assessment)
    if skill is not None:
        if not policies.attachable_skills(actor, assessment).filter(pk=skill.pk).exists():
            raise ValidationError(_("Cette compétence n'est pas une compétence de la matière."))
        component = skill.component
    existing = AssessedSkill.objects.filter(assessment=assessment)
    if existing.filter(skill=skill, component=component).exists():
        raise ValidationError(_("Ce devoir évalue déjà cette compétence."))
    last = existing.order_by("-position").values_list("position", flat=True).first()
    return AssessedSkill.objects.create(
        establishment_id=assessment.establishment_id,
        assessment=assessment,
        component=component,
        skill=skill,
        position=(last or 0) + 1,
    )


@transaction.atomic
def do_detach(*, actor: Any, assessed: AssessedSkill) -> None:
    """Stop evaluating a skill; refused once a level was entered (clear the column first)."""
    _check_editable(actor, assessed.assessment)
    if assessed.results.exists():
        raise ValidationError(
            _(
                "Des niveaux sont déjà saisis pour « %(label)s » : effacez-les dans la grille "
                "avant de retirer la compétence."
            )
            % {"label": assessed.label}
        )
    assessed.delete()


# -- levels ----------------------------------------------------------------------------------------

# What a teacher may type in a cell: a level (digit or initial), a code, or nothing (erase).
LETTERS = {"I": 1, "F": 2, "S": 3, "T": 4, "TB": 4}
CODES = {"ABS": ResultCode.ABSENT, "A": ResultCode.ABSENT, "NE": ResultCode.NOT_ASSESSED}


@dataclass(frozen=True)
class Cell:
    """What the grid sent for one student and one column: the text typed and the version of
    the result the teacher's page showed (0: none yet)."""

    text: str
    version: int = 0


@dataclass(frozen=True)
class Parsed:
    level: int | None
    code: str

    @property
    def is_empty(self) -> bool:
        return self.level is None and not self.code


def parse_cell(text: str) -> Parsed:
    """``"3"``, ``"s"``, ``"NE"``, ``""`` → a level or a code; anything else is refused."""
    value = (text or "").strip().upper()
    if not value:
        return Parsed(None, "")
    if value.isdigit():
        number = int(value)
        if 1 <= number <= 4:
            return Parsed(number, "")
    elif value in LETTERS:
        return Parsed(LETTERS[value], "")
    elif value in CODES:
        return Parsed(None, str(CODES[value]))
    raise ValidationError(
        _(
            "« %(value)s » n'est pas un niveau : tapez 1 à 4 (ou I, F, S, T), ABS pour "
            "absent, NE pour non évalué."
        )
        % {"value": text.strip()[:12]}
    )


class Conflict(ValidationError):
    """Someone saved some of these cells since the page was loaded: nothing was saved.
    ``current`` gives those cells' values now, by (column public id, student public id)."""

    def __init__(self, message: str, current: dict[tuple[str, str], SkillResult | None]) -> None:
        super().__init__(message)
        self.current = current


@dataclass
class Saved:
    """The results as they stand after a save, by (column public id, student public id)."""

    results: dict[tuple[str, str], SkillResult | None] = field(default_factory=dict)
    changed: int = 0


@transaction.atomic
def do_save_levels(
    *,
    actor: Any,
    assessment: Assessment,
    cells: dict[tuple[str, str], Cell],
    columns: list[AssessedSkill],
    students: list[Any],
    now: datetime | None = None,
) -> Saved:
    """Save the levels typed in an assessment's grid, all or nothing.

    ``cells`` are keyed by (column public id, student public id). A student not in the
    assessment's class or group, an unknown column, a value other than 1 to 4, ABS or NE, or
    a cell someone else changed since the page was loaded (its version moved): nothing is
    saved and the error says why. An empty cell erases the result. Whatever the number of
    cells: one read of the results (locked), at most one delete, one insert and one update,
    the audit row and, the first time for a skills-only assessment, its publication time.
    """
    _check_editable(actor, assessment)
    now = now or timezone.now()
    by_column = {str(c.public_id): c for c in columns}
    by_student = {str(s.public_id): s for s in students}
    parsed: dict[tuple[str, str], Parsed] = {}
    for (column_id, student_id), cell in cells.items():
        if column_id not in by_column:
            raise ValidationError(_("Cette compétence n'est pas évaluée par ce devoir."))
        if student_id not in by_student:
            raise ValidationError(
                _("Un élève de la saisie n'est pas dans la classe ou le groupe de ce devoir.")
            )
        try:
            parsed[(column_id, student_id)] = parse_cell(cell.text)
        except ValidationError as exc:
            student = by_student[student_id]
            raise ValidationError(
                _("%(student)s, %(skill)s : %(error)s")
                % {
                    "student": f"{student.first_name} {student.last_name}",
                    "skill": by_column[column_id].label,
                    "error": " ".join(exc.messages),
                }
            ) from exc
    existing = {
        (str(r.assessed.public_id), str(r.student.public_id)): r
        for r in SkillResult.objects.select_for_update()
        .filter(assessed__in=list(by_column.values()))
        .select_related("assessed", "student")
        .only("pk", "level", "code", "version", "assessed__public_id", "student__public_id")
    }
    stale = {
        key: existing.get(key)
        for key, cell in cells.items()
        if (existing[key].version if key in existing else 0) != cell.version
        and _differs(existing.get(key), parsed[key])
    }
    if stale:
        raise Conflict(
            _(
                "Quelqu'un a modifié %(count)d niveau(x) depuis l'ouverture de la grille : rien "
                "n'a été enregistré. Les valeurs actuelles sont affichées ; vérifiez-les puis "
                "saisissez de nouveau."
            )
            % {"count": len(stale)},
            stale,
        )
    created, updated, erased, changes = [], [], [], []
    for key, value in parsed.items():
        result = existing.get(key)
        if not _differs(result, value):
            continue
        before = result.display if result else ""
        if value.is_empty:
            erased.append(result.pk)
            changes.append([*key, before, ""])
            continue
        if result is None:
            column, student = by_column[key[0]], by_student[key[1]]
            result = SkillResult(
                establishment_id=assessment.establishment_id,
                school_year_id=assessment.school_year_id,
                assessed=column,
                student=student,
                version=0,
            )
            created.append(result)
        else:
            updated.append(result)
        result.level, result.code = value.level, value.code
        result.version += 1
        result.updated_by = actor.user
        result.updated_at = now
        changes.append([*key, before, result.display])
    if erased:
        SkillResult.objects.filter(pk__in=erased).delete()
    if created:
        SkillResult.objects.bulk_create(created)
    if updated:
        SkillResult.objects.bulk_update(
            updated, ["level", "code", "version", "updated_by", "updated_at"]
        )
    if changes:
        audit(
            actor=actor,
            establishment=actor.establishment,  # the assessment's (checked by can_edit)
            action="skills.levels",
            target=assessment,
            after={"changes": changes},
        )
        _schedule_publication(actor, assessment, now)
    results = {key: r for key, r in existing.items() if r.pk not in erased}
    for result in created:
        results[(str(result.assessed.public_id), str(result.student.public_id))] = result
    return Saved(results=results, changed=len(changes))


def _differs(result: SkillResult | None, value: Parsed) -> bool:
    if result is None:
        return not value.is_empty
    return (result.level, result.code) != (value.level, value.code)


def _schedule_publication(actor: Any, assessment: Assessment, now: datetime) -> None:
    """An assessment that evaluates skills only has no mark to set its publication time: its
    first levels set it, by grades' rule, and the families are told at that time. A graded
    assessment's marks set it (grades)."""
    if assessment.graded or assessment.publish_at is not None:
        return
    from preau.grades.actions import schedule_publication
    from preau.grades.publication import publication_time

    schedule_publication(
        actor,
        assessment,
        publication_time(assessment.establishment, now),
        url=reverse("skills:index"),
    )
