"""A person's grades data, for the export of their data (preau.privacy).

A student: their marks, with the assessment's subject, date, scale and coefficient, once the
marks are published to them (as the grades pages show them). A teacher: the assessments they
created and the marks they entered — the record of their own work, as the grade book keeps it.
"""

from typing import Any

from django.db.models import F
from django.utils import timezone

from preau.grades.models import Assessment, Mark
from preau.privacy.registry import PersonalData, rows

MARK_FIELDS = ("value", "code", "comment", "updated_at")


def export(person: Any) -> PersonalData:
    now = timezone.now()
    own = (
        Mark.objects.filter(student=person, assessment__publish_at__lte=now)
        .order_by("assessment__date", "pk")
        .values(
            *MARK_FIELDS,
            evaluation=F("assessment__title"),
            matiere=F("assessment__subject__label"),
            date=F("assessment__date"),
            bareme=F("assessment__scale"),
            coefficient=F("assessment__coefficient"),
            periode=F("assessment__period__number"),
            etablissement=F("establishment__name"),
        )
    )
    created = (
        Assessment.objects.filter(teacher=person)
        .order_by("date", "pk")
        .values(
            "title",
            "date",
            "scale",
            "coefficient",
            "kind",
            "graded",
            "publish_at",
            "created_at",
            identifiant=F("public_id"),
            matiere=F("subject__label"),
            classe=F("school_class__name"),
            groupe=F("group__name"),
            periode=F("period__number"),
            etablissement=F("establishment__name"),
        )
    )
    entered = (
        Mark.objects.filter(updated_by=person)
        .exclude(student=person)
        .order_by("assessment_id", "pk")
        .values(
            *MARK_FIELDS,
            evaluation=F("assessment__public_id"),
            eleve_prenom=F("student__first_name"),
            eleve_nom=F("student__last_name"),
        )
    )
    return PersonalData(
        records={
            "mes_notes": rows(own),
            "evaluations_creees": rows(created),
            "notes_saisies": rows(entered),
        }
    )
