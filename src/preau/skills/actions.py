"""Every change of skills and of the levels reached: one transaction each, audit rows for the
levels (a part of a student's assessment record, like marks)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from preau.skills import policies
from preau.skills.models import Component, Skill

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
