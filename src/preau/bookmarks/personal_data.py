"""A person's own bookmarks, for the export of their data (preau.privacy)."""

from typing import Any

from django.db.models import F

from preau.bookmarks.models import Bookmark
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    bookmarks = (
        Bookmark.objects.filter(owner=person)
        .order_by("folder__position", "position", "pk")
        .values("title", "url", "description", "created_at", dossier=F("folder__name"))
    )
    return PersonalData(records={"signets": rows(bookmarks)})
