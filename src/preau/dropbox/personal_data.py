"""A person's drop-box data, for the export of their data (preau.privacy).

A student: their hand-ins with the teacher's feedback, and the files they handed in. A teacher:
the drop boxes they opened and the corrections they returned (their own files). The work of
the students of a teacher's boxes is the students' data and stays out.
"""

from typing import Any

from django.db.models import F, Q

from preau.dropbox.models import DropBox, FileRole, Submission, SubmissionFile
from preau.privacy.registry import FileEntry, PersonalData, rows, safe_name


def _own_files(person: Any) -> Any:
    return SubmissionFile.objects.filter(
        Q(submission__student=person, role=FileRole.WORK)
        | Q(submission__drop_box__teacher=person, role=FileRole.CORRECTION)
    ).order_by("created_at", "pk")


def export(person: Any) -> PersonalData:
    submissions = (
        Submission.objects.filter(student=person)
        .order_by("pk")
        .values(
            "submitted_at",
            "feedback",
            "returned_at",
            identifiant=F("public_id"),
            casier=F("drop_box__title"),
            etablissement=F("establishment__name"),
        )
    )
    boxes = (
        DropBox.objects.filter(teacher=person)
        .order_by("created_at", "pk")
        .values(
            "title",
            "instructions",
            "opens_at",
            "deadline",
            "accepts_late",
            "closed_at",
            "created_at",
            identifiant=F("public_id"),
            etablissement=F("establishment__name"),
        )
    )
    files = _own_files(person).values(
        "role",
        "original_name",
        "size",
        "content_type",
        "created_at",
        identifiant=F("public_id"),
        depot=F("submission__public_id"),
        casier=F("submission__drop_box__title"),
    )
    return PersonalData(
        records={
            "depots": rows(submissions),
            "casiers_ouverts": rows(boxes),
            "fichiers": rows(files),
        },
        files=_files(person),
    )


def _files(person: Any) -> Any:
    files = _own_files(person).only("public_id", "file", "original_name", "created_at")
    for row in files.iterator(chunk_size=200):
        yield FileEntry(
            name=f"fichiers/{row.public_id}-{safe_name(row.original_name)}",
            open=row.file.open,
            modified=row.created_at,
        )
