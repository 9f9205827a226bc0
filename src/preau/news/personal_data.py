"""The news a person wrote, for the export of their data (preau.privacy)."""

from typing import Any

from django.db.models import F

from preau.news.models import Post
from preau.privacy.registry import PersonalData, rows


def export(person: Any) -> PersonalData:
    posts = (
        Post.objects.filter(author=person)
        .order_by("created_at", "pk")
        .values(
            "title",
            "body",
            "publish_at",
            "unpublish_at",
            "pinned",
            "created_at",
            "updated_at",
            identifiant=F("public_id"),
            etablissement=F("establishment__name"),
        )
    )
    return PersonalData(records={"actualites_ecrites": rows(posts)})
