"""A person's attendance data, for the export of their data (preau.privacy).

A student: their absences and late arrivals. A guardian: the justifications they wrote, with the
documents they attached (a child's absences themselves are the child's records). A teacher: the
roll calls they took.
"""

from typing import Any

from django.db.models import F

from preau.attendance.models import AttendanceRecord, Justification, RollCall
from preau.privacy.registry import FileEntry, PersonalData, rows, safe_name


def export(person: Any) -> PersonalData:
    records = (
        AttendanceRecord.objects.filter(student=person)
        .order_by("start", "pk")
        .values(
            "kind",
            "start",
            "end",
            "minutes",
            "status",
            "note",
            "created_at",
            motif=F("reason__label"),
            etablissement=F("establishment__name"),
        )
    )
    written = Justification.objects.filter(author=person).order_by("submitted_at", "pk")
    justifications = written.values(
        "comment",
        "document_name",
        "submitted_at",
        "decision",
        "decided_at",
        "decision_comment",
        identifiant=F("public_id"),
        motif=F("reason__label"),
        absence_debut=F("record__start"),
        eleve_prenom=F("record__student__first_name"),
        eleve_nom=F("record__student__last_name"),
    )
    roll_calls = (
        RollCall.objects.filter(taken_by=person)
        .order_by("taken_at", "pk")
        .values(
            "taken_at",
            "updated_at",
            date=F("lesson__date"),
            debut=F("lesson__start"),
            classe=F("lesson__school_class__name"),
            groupe=F("lesson__group__name"),
            etablissement=F("establishment__name"),
        )
    )
    return PersonalData(
        records={
            "absences_et_retards": rows(records),
            "justifications_ecrites": rows(justifications),
            "appels_faits": rows(roll_calls),
        },
        files=_files(written),
    )


def _files(written: Any) -> Any:
    with_document = written.exclude(document="").only(
        "public_id", "document", "document_name", "submitted_at"
    )
    for row in with_document.iterator(chunk_size=200):
        yield FileEntry(
            name=f"justificatifs/{row.public_id}-{safe_name(row.document_name)}",
            open=row.document.open,
            modified=row.submitted_at,
        )
