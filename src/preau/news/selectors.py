"""Reads of the news that the panel shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Min, Q
from django.utils import timezone

from preau.news.models import Post


def next_change(establishment: Any) -> datetime | None:
    """The next moment a post of the establishment starts or stops being shown (1 query)."""
    now = timezone.now()
    bounds = Post.objects.filter(
        Q(publish_at__gt=now) | Q(unpublish_at__gt=now), establishment=establishment
    ).aggregate(
        starts=Min("publish_at", filter=Q(publish_at__gt=now)),
        ends=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
    )
    moments = [moment for moment in bounds.values() if moment is not None]
    return min(moments) if moments else None
