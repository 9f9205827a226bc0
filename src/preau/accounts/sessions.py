"""What a person sees of their sessions: the device (browser and system read from the user
agent), the address, when it started and when it was last active.

The last activity is kept in the cache, written at most once a minute per session, so that
ordinary pages never write to the database; when the cache has forgotten it, the start is shown.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

DEVICE_COOKIE = "preau_device"
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 400  # the longest browsers keep a cookie
SEEN_EVERY = 60
SEEN_KEEP = 60 * 60 * 24 * 14
_SEEN = "preau:session-seen"

_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/"),
    ("Firefox", r"(?:Firefox|FxiOS)/"),
    ("Chrome", r"(?:Chrome|Chromium|CriOS)/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("ChromeOS", r"CrOS"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux"),
]


def describe_agent(user_agent: str) -> tuple[str, str]:
    """(browser, system) read from a User-Agent header; empty strings when unknown."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    return browser, system


def new_device_id() -> str:
    return secrets.token_urlsafe(24)


def device_of(request: Any) -> str:
    """This browser's device identifier: its cookie, or a new one set on the response."""
    device = getattr(request, "preau_device", None) or request.COOKIES.get(DEVICE_COOKIE, "")
    if not device or len(device) > 64:
        device = new_device_id()
    request.preau_device = device
    return device


def _seen_key(session_key: str) -> str:
    return f"{_SEEN}:{hashlib.sha256(session_key.encode()).hexdigest()}"


def note_seen(session_key: str) -> None:
    key = _seen_key(session_key)
    now = time.time()
    last = cache.get(key)
    if last is None or now - last >= SEEN_EVERY:
        cache.set(key, now, SEEN_KEEP)


def last_seen(session_keys: list[str]) -> dict[str, datetime]:
    keys = {_seen_key(k): k for k in session_keys if k}
    found = cache.get_many(list(keys))
    return {
        keys[key]: datetime.fromtimestamp(value, tz=timezone.get_current_timezone())
        for key, value in found.items()
    }


@dataclass(frozen=True)
class SessionLine:
    row: Any
    browser: str
    system: str
    last_seen: datetime
    current: bool


def session_lines(rows: list[Any], current_key: str | None) -> list[SessionLine]:
    seen = last_seen([row.session_key for row in rows])
    lines = []
    for row in rows:
        browser, system = describe_agent(row.user_agent)
        lines.append(
            SessionLine(
                row=row,
                browser=browser,
                system=system,
                last_seen=max(seen.get(row.session_key, row.started_at), row.started_at),
                current=bool(current_key) and row.session_key == current_key,
            )
        )
    lines.sort(key=lambda line: (not line.current, -line.last_seen.timestamp()))
    return lines


def is_new_device(person: Any, device: str, *, days: int) -> bool:
    """Whether this device first appeared for this person less than ``days`` days ago."""
    from preau.accounts.models import AccountSession

    first = (
        AccountSession.objects.filter(person=person, device=device)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return first is None or first > timezone.now() - timedelta(days=days)
