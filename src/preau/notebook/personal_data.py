"""A person's correspondence-notebook data, for the export of their data (preau.privacy).

A student: the entries written in their notebook. Anyone: the entries they wrote, the replies
they wrote and, for a guardian, their signatures.
"""

from typing import Any

from django.db.models import F, Q

from preau.notebook.models import Entry, Reply, Signature
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    entries = (
        Entry.objects.filter(Q(student=person) | Q(author=person))
        .order_by("created_at", "pk")
        .values(
            "kind",
            "title",
            "text",
            "meeting_at",
            "place",
            "question",
            "answer",
            "answered_at",
            "signed_at",
            "created_at",
            identifiant=F("public_id"),
            eleve_prenom=F("student__first_name"),
            eleve_nom=F("student__last_name"),
            auteur_prenom=F("author__first_name"),
            auteur_nom=F("author__last_name"),
            etablissement=F("establishment__name"),
        )
    )
    replies = (
        Reply.objects.filter(author=person)
        .order_by("created_at", "pk")
        .values("text", "created_at", mot=F("entry__public_id"), titre=F("entry__title"))
    )
    signatures = (
        Signature.objects.filter(guardian=person)
        .order_by("signed_at", "pk")
        .values("signed_at", mot=F("entry__public_id"), titre=F("entry__title"))
    )
    return PersonalData(
        records={
            "mots": rows(entries),
            "reponses": rows(replies),
            "signatures": rows(signatures),
        }
    )
