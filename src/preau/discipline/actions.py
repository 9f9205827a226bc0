"""Writes of discipline records. Views parse input and call these; the rules are here and in
policies.py. Every decision and change leaves an audit row; families are notified of what is
published to them, once the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.directory.models import Guardianship
from preau.discipline import policies
from preau.discipline.models import (
    HEAD_MAX_EXCLUSION_DAYS,
    MAY_BE_SUSPENDED,
    PUNISHMENTS,
    SANCTIONS,
    WITH_PERIOD,
    Incident,
    IncidentCategory,
    Involvement,
    Kind,
    Measure,
    OtherPunishment,
    Role,
)
from preau.notifications.actions import notify
from preau.notifications.models import Kind as NotificationKind
from preau.portal.panel_cache import bump_scope, forget_panels

MEASURE_FIELDS = [
    "kind",
    "other_kind",
    "reason",
    "decided_on",
    "by_council",
    "detention_date",
    "start_time",
    "end_time",
    "place",
    "supervisor",
    "due_date",
    "start_date",
    "end_date",
    "suspended",
    "family_text",
    "staff_notes",
    "acknowledgement_required",
    "incident",
]
# A change of these, once published, is told to the family again and asks a new acknowledgement.
FAMILY_FIELDS = {
    "kind",
    "other_kind",
    "reason",
    "detention_date",
    "start_time",
    "end_time",
    "place",
    "due_date",
    "start_date",
    "end_date",
    "suspended",
    "family_text",
}
INCIDENT_FIELDS = ["category", "description", "occurred_at", "place"]


class SanctionRefused(PermissionDenied):
    """Only the head and the deputy pronounce sanctions."""


@dataclass
class MeasureData:
    """What a form says about a measure; ``do_give_measure`` and ``do_update_measure`` check it."""

    student: Any
    kind: str
    reason: str
    family_text: str
    decided_on: date
    staff_notes: str = ""
    incident: Incident | None = None
    other_kind: OtherPunishment | None = None
    by_council: bool = False
    detention_date: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    place: str = ""
    supervisor: Any = None
    due_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    suspended: bool = False
    acknowledgement_required: bool = True
    errors: list[str] = field(default_factory=list)


def _in_year(actor: Any, day: date | None, what: str) -> None:
    year = actor.school_year
    if day is not None and not (year.start_date <= day <= year.end_date):
        raise ValidationError(
            _("%(what)s doit être dans l'année scolaire, du %(start)s au %(end)s.")
            % {
                "what": what,
                "start": formats.date_format(year.start_date, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(year.end_date, "SHORT_DATE_FORMAT"),
            },
            code="outside_year",
        )


def _check_measure(actor: Any, data: MeasureData) -> None:
    """The rules of a measure, whoever calls; raises ValidationError or PermissionDenied."""
    establishment = actor.establishment
    if data.kind in SANCTIONS:
        if not policies.can_sanction(actor):
            raise SanctionRefused(
                _(
                    "Seuls le chef d'établissement et son adjoint prononcent les sanctions "
                    "disciplinaires."
                )
            )
    elif data.kind not in PUNISHMENTS or not policies.can_punish(actor):
        raise PermissionDenied
    if not policies.concerned_students(actor).filter(pk=data.student.pk).exists():
        raise PermissionDenied
    if data.incident is not None and data.incident.establishment_id != establishment.pk:
        raise PermissionDenied
    if data.other_kind is not None and data.other_kind.establishment_id != establishment.pk:
        raise PermissionDenied
    staff = establishment_staff(establishment, actor.school_year)
    if data.supervisor is not None and not staff.filter(pk=data.supervisor.pk).exists():
        raise PermissionDenied
    if not data.reason.strip():
        raise ValidationError(_("Indiquez le motif."), code="reason")
    if not data.family_text.strip():
        raise ValidationError(_("Écrivez le texte destiné à la famille."), code="family_text")
    _in_year(actor, data.decided_on, _("La date de la décision"))
    if data.kind == Kind.OTHER and data.other_kind is None:
        raise ValidationError(_("Choisissez la punition."), code="other_kind")
    if data.kind == Kind.DETENTION:
        if not (data.detention_date and data.start_time and data.end_time and data.place):
            raise ValidationError(
                _("Une retenue a une date, une heure de début et de fin et un lieu."),
                code="detention",
            )
        _in_year(actor, data.detention_date, _("La date de la retenue"))
        if data.end_time <= data.start_time:
            raise ValidationError(_("La retenue doit finir après son début."), code="times")
    if data.kind == Kind.EXTRA_WORK:
        if data.due_date is None:
            raise ValidationError(_("Indiquez la date de remise du devoir."), code="due_date")
        _in_year(actor, data.due_date, _("La date de remise"))
    if data.kind in WITH_PERIOD:
        if data.start_date is None or data.end_date is None:
            raise ValidationError(_("Indiquez les dates de début et de fin."), code="period")
        if data.end_date < data.start_date:
            raise ValidationError(_("La fin doit suivre le début."), code="period")
        _in_year(actor, data.start_date, _("La date de début"))
        _in_year(actor, data.end_date, _("La date de fin"))
        days = (data.end_date - data.start_date).days + 1
        if (
            data.kind in (Kind.CLASS_EXCLUSION, Kind.SCHOOL_EXCLUSION)
            and not data.by_council
            and days > HEAD_MAX_EXCLUSION_DAYS
        ):
            raise ValidationError(
                _(
                    "Le chef d'établissement prononce seul une exclusion de huit jours au plus ; "
                    "au-delà, c'est le conseil de discipline."
                ),
                code="too_long",
            )
    if data.kind == Kind.PERMANENT_EXCLUSION and not data.by_council:
        raise ValidationError(
            _("Seul le conseil de discipline prononce une exclusion définitive."),
            code="permanent",
        )
    if data.suspended and data.kind not in MAY_BE_SUSPENDED:
        raise ValidationError(
            _("Cette mesure ne peut pas être assortie d'un sursis."), code="suspended"
        )


def _normalised(data: MeasureData) -> dict[str, Any]:
    """The stored values: what does not belong to the kind is blanked."""
    values = {
        name: getattr(data, name)
        for name in MEASURE_FIELDS
        if name not in ("reason", "family_text", "staff_notes", "place")
    }
    values.update(
        reason=data.reason.strip(),
        family_text=data.family_text.strip(),
        staff_notes=data.staff_notes.strip(),
        place=data.place.strip(),
    )
    if data.kind != Kind.OTHER:
        values["other_kind"] = None
    if data.kind != Kind.DETENTION:
        values.update(detention_date=None, start_time=None, end_time=None, place="")
        values["supervisor"] = None
    if data.kind != Kind.EXTRA_WORK:
        values["due_date"] = None
    if data.kind not in WITH_PERIOD:
        values.update(start_date=None, end_date=None)
    if data.kind not in SANCTIONS:
        values["by_council"] = False
    return values


def establishment_staff(establishment: Any, year: Any) -> Any:
    """The staff and teachers of the establishment this year (supervisors of detentions)."""
    from django.contrib.auth import get_user_model

    from preau.directory.models import STAFF_PROFILES, Membership, Profile

    members = Membership.objects.filter(
        establishment=establishment,
        school_year=year,
        is_active=True,
        profile__in=[*STAFF_PROFILES, Profile.TEACHER],
    ).values("person_id")
    return get_user_model().objects.filter(pk__in=members, is_active=True)


def guardians_of(student: Any) -> list[Any]:
    return [
        link.guardian
        for link in Guardianship.objects.filter(
            student=student, legal=True, guardian__is_active=True
        ).select_related("guardian")
    ]


def _changed(measure: Measure) -> None:
    bump_scope("discipline", [measure.establishment_id])
    forget_panels("discipline", [measure.student_id])


def _tell_family(actor: Any, measure: Measure, title: str) -> None:
    notify(
        recipients=guardians_of(measure.student),
        establishment=measure.establishment,
        kind=NotificationKind.DISCIPLINE,
        title=title,
        body=measure.family_text,
        url=reverse("discipline:measure", args=[measure.public_id]),
        actor=actor,
    )


def _published_title(measure: Measure) -> str:
    return _("%(kind)s pour %(name)s") % {
        "kind": measure.label,
        "name": measure.student.first_name,
    }


def do_give_measure(*, actor: Any, data: MeasureData, publish: bool = True) -> Measure:
    """Record a punishment or a sanction; published to the family now unless ``publish`` is
    False (the CPE may then publish it later)."""
    _check_measure(actor, data)
    with transaction.atomic():
        measure = Measure(
            establishment=actor.establishment,
            school_year=actor.school_year,
            student=data.student,
            decided_by=actor.user,
            **_normalised(data),
        )
        if publish:
            measure.published_at = timezone.now()
        measure.save()
        record(
            actor=actor,
            establishment=measure.establishment,
            action="discipline.sanction.give" if measure.is_sanction else "discipline.punish",
            target=measure,
            after=snapshot(measure, [*MEASURE_FIELDS, "student", "published_at"]),
        )
        if publish:
            _tell_family(actor, measure, _published_title(measure))
        if measure.supervisor_id is not None and measure.supervisor_id != actor.user.pk:
            notify(
                recipients=[measure.supervisor],
                establishment=measure.establishment,
                kind=NotificationKind.DISCIPLINE,
                title=_("Retenue à surveiller le %(day)s")
                % {"day": formats.date_format(measure.detention_date, "SHORT_DATE_FORMAT")},
                url=reverse("discipline:measure", args=[measure.public_id]),
                actor=actor,
            )
        _changed(measure)
    return measure


def _check_change(actor: Any, measure: Measure) -> None:
    if not policies.can_change(actor, measure):
        if measure.is_sanction and measure.cancelled_at is None:
            raise SanctionRefused(
                _(
                    "Seuls le chef d'établissement et son adjoint modifient les sanctions "
                    "disciplinaires."
                )
            )
        raise PermissionDenied


def do_update_measure(*, actor: Any, measure: Measure, data: MeasureData) -> Measure:
    """Change a measure. Once published, a change the family reads is notified again and, when
    an acknowledgement is asked, asks it again."""
    _check_change(actor, measure)
    if data.student.pk != measure.student_id:
        raise PermissionDenied
    _check_measure(actor, data)
    with transaction.atomic():
        values = _normalised(data)
        before = snapshot(measure, MEASURE_FIELDS)
        changed = [name for name, value in values.items() if getattr(measure, name) != value]
        if not changed:
            return measure
        for name in changed:
            setattr(measure, name, values[name])
        fields = list(changed)
        family_changed = measure.published_at is not None and bool(FAMILY_FIELDS & set(changed))
        if family_changed and measure.acknowledged_at is not None:
            measure.acknowledged_at = None
            measure.acknowledged_by = None
            fields += ["acknowledged_at", "acknowledged_by"]
        measure.save(update_fields=fields)
        record(
            actor=actor,
            establishment=measure.establishment,
            action="discipline.measure.update",
            target=measure,
            before={k: before[k] for k in changed},
            after={k: v for k, v in snapshot(measure, MEASURE_FIELDS).items() if k in changed},
        )
        if family_changed:
            _tell_family(
                actor,
                measure,
                _("Modification : %(title)s") % {"title": _published_title(measure)},
            )
        _changed(measure)
    return measure


def do_publish_measure(*, actor: Any, measure: Measure) -> Measure:
    _check_change(actor, measure)
    if measure.published_at is not None:
        return measure
    with transaction.atomic():
        measure.published_at = timezone.now()
        measure.save(update_fields=["published_at"])
        record(
            actor=actor,
            establishment=measure.establishment,
            action="discipline.measure.publish",
            target=measure,
            after={"published_at": measure.published_at.isoformat()},
        )
        _tell_family(actor, measure, _published_title(measure))
        _changed(measure)
    return measure


def do_cancel_measure(*, actor: Any, measure: Measure, reason: str) -> Measure:
    _check_change(actor, measure)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Indiquez pourquoi la mesure est annulée."), code="reason")
    with transaction.atomic():
        measure.cancelled_at = timezone.now()
        measure.cancel_reason = reason[:200]
        measure.save(update_fields=["cancelled_at", "cancel_reason"])
        record(
            actor=actor,
            establishment=measure.establishment,
            action="discipline.measure.cancel",
            target=measure,
            after={"cancel_reason": measure.cancel_reason},
        )
        if measure.published_at is not None:
            _tell_family(
                actor,
                measure,
                _("Annulation : %(title)s") % {"title": _published_title(measure)},
            )
        _changed(measure)
    return measure


class AlreadyAcknowledged(ValidationError):
    pass


def do_acknowledge(*, actor: Any, measure: Measure, now: datetime | None = None) -> Measure:
    """A guardian's « pris connaissance »: recorded once, with who and when."""
    if measure.student_id not in actor.child_ids:
        raise PermissionDenied
    if not measure.awaits_acknowledgement:
        raise AlreadyAcknowledged(
            _("Cette mesure n'attend pas de prise de connaissance."), code="not_awaiting"
        )
    with transaction.atomic():
        locked = Measure.objects.select_for_update().get(pk=measure.pk)
        if locked.acknowledged_at is not None:
            raise AlreadyAcknowledged(
                _("Un responsable en a déjà pris connaissance."), code="already"
            )
        measure.acknowledged_at = now or timezone.now()
        measure.acknowledged_by = actor.user
        measure.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record(
            actor=actor,
            establishment=measure.establishment,
            action="discipline.measure.acknowledge",
            target=measure,
            after={"acknowledged_at": measure.acknowledged_at.isoformat()},
        )
        _changed(measure)
        forget_panels("discipline", [g.pk for g in guardians_of(measure.student)])
    return measure


# -- incidents ---------------------------------------------------------------------------------


def _check_incident(
    actor: Any, category: IncidentCategory, occurred_at: datetime, involved: list[tuple[Any, str]]
) -> None:
    if not policies.can_report(actor):
        raise PermissionDenied
    if category.establishment_id != actor.establishment.pk:
        raise PermissionDenied
    if not involved:
        raise ValidationError(_("Indiquez au moins un élève impliqué."), code="nobody")
    if any(role not in Role.values for _student, role in involved):
        raise ValidationError(_("Rôle inconnu."), code="role")
    ids = {student.pk for student, _role in involved}
    if len(ids) != len(involved):
        raise ValidationError(_("Un élève n'apparaît qu'une fois."), code="twice")
    if policies.concerned_students(actor).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied
    _in_year(actor, timezone.localdate(occurred_at), _("La date de l'incident"))
    if occurred_at > timezone.now():
        raise ValidationError(_("Un incident ne peut pas être dans le futur."), code="future")


def do_report_incident(
    *,
    actor: Any,
    category: IncidentCategory,
    description: str,
    occurred_at: datetime,
    place: str,
    involved: list[tuple[Any, str]],
) -> Incident:
    _check_incident(actor, category, occurred_at, involved)
    with transaction.atomic():
        incident = Incident.objects.create(
            establishment=actor.establishment,
            school_year=actor.school_year,
            category=category,
            description=description.strip(),
            occurred_at=occurred_at,
            place=place.strip(),
            reported_by=actor.user,
        )
        Involvement.objects.bulk_create(
            Involvement(
                establishment=incident.establishment, incident=incident, student=s, role=role
            )
            for s, role in involved
        )
        record(
            actor=actor,
            establishment=incident.establishment,
            action="discipline.incident.report",
            target=incident,
            after=snapshot(incident, INCIDENT_FIELDS)
            | {"involved": [[str(s), role] for s, role in involved]},
        )
    return incident


def do_update_incident(
    *,
    actor: Any,
    incident: Incident,
    category: IncidentCategory,
    description: str,
    occurred_at: datetime,
    place: str,
    involved: list[tuple[Any, str]],
) -> Incident:
    if not policies.can_edit_incident(actor, incident):
        raise PermissionDenied
    _check_incident(actor, category, occurred_at, involved)
    with transaction.atomic():
        before = snapshot(incident, INCIDENT_FIELDS) | {
            "involved": [
                [str(i.student), i.role]
                for i in incident.involvements.select_related("student").order_by("pk")
            ]
        }
        incident.category, incident.description = category, description.strip()
        incident.occurred_at, incident.place = occurred_at, place.strip()
        incident.save(update_fields=INCIDENT_FIELDS)
        incident.involvements.all().delete()
        Involvement.objects.bulk_create(
            Involvement(
                establishment=incident.establishment, incident=incident, student=s, role=role
            )
            for s, role in involved
        )
        record(
            actor=actor,
            establishment=incident.establishment,
            action="discipline.incident.update",
            target=incident,
            before=before,
            after=snapshot(incident, INCIDENT_FIELDS)
            | {"involved": [[str(s), role] for s, role in involved]},
        )
    return incident


# -- the establishment's lists -----------------------------------------------------------------


def do_add_choice(*, actor: Any, model: type, label: str) -> Any:
    """Add an incident category or another punishment to the establishment's list."""
    if not policies.is_school_life(actor):
        raise PermissionDenied
    label = label.strip()
    if not label:
        raise ValidationError(_("Indiquez un libellé."), code="label")
    with transaction.atomic():
        row, created = model.objects.get_or_create(
            establishment=actor.establishment, label=label[:80]
        )
        if not created and not row.active:
            row.active = True
            row.save(update_fields=["active"])
        record(
            actor=actor,
            establishment=actor.establishment,
            action=f"discipline.{model._meta.model_name}.add",
            after={"label": row.label},
        )
    return row


def do_set_choice_active(*, actor: Any, row: Any, active: bool) -> Any:
    if not policies.is_school_life(actor) or row.establishment_id != actor.establishment.pk:
        raise PermissionDenied
    with transaction.atomic():
        row.active = active
        row.save(update_fields=["active"])
        record(
            actor=actor,
            establishment=actor.establishment,
            action=f"discipline.{row._meta.model_name}.{'show' if active else 'hide'}",
            after={"label": row.label},
        )
    return row
