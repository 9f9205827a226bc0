"""A person's class-logbook data, for the export of their data (preau.privacy).

A teacher: the lesson contents and homework they wrote. A student: the homework they marked done.
"""

from typing import Any

from django.db.models import F

from preau.logbook.models import Entry, Homework, HomeworkDone
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    entries = (
        Entry.objects.filter(author=person)
        .order_by("lesson__date", "pk")
        .values(
            "content",
            "created_at",
            "updated_at",
            date=F("lesson__date"),
            classe=F("lesson__school_class__name"),
            groupe=F("lesson__group__name"),
            matiere=F("lesson__subject__label"),
            etablissement=F("establishment__name"),
        )
    )
    homework = (
        Homework.objects.filter(author=person)
        .order_by("due_date", "pk")
        .values(
            "due_date",
            "kind",
            "minutes",
            "instructions",
            "created_at",
            classe=F("school_class__name"),
            groupe=F("group__name"),
            matiere=F("subject__label"),
            etablissement=F("establishment__name"),
        )
    )
    done = (
        HomeworkDone.objects.filter(student=person)
        .order_by("done_at", "pk")
        .values(
            "done_at",
            pour_le=F("homework__due_date"),
            matiere=F("homework__subject__label"),
            consigne=F("homework__instructions"),
        )
    )
    return PersonalData(
        records={
            "contenus_de_seance": rows(entries),
            "travail_donne": rows(homework),
            "travail_fait": rows(done),
        }
    )
