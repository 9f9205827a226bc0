"""Secret iCalendar addresses: one per calendar and reader, derived with an HMAC so that the
secret is never stored and can be shown again; a new one stops the old address."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.urls import reverse

from preau.calendar.models import FeedToken


def token_of(feed: FeedToken) -> str:
    material = f"calendar-feed:{feed.public_id}:{feed.salt}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), material, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def matches(feed: FeedToken, token: str) -> bool:
    return hmac.compare_digest(token_of(feed), token)


def path_of(feed: FeedToken) -> str:
    return reverse("calendar:feed", kwargs={"public_id": feed.public_id, "token": token_of(feed)})


def url_of(request: Any, feed: FeedToken) -> str:
    return request.build_absolute_uri(path_of(feed))
