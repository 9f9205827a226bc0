"""A version of the directory, changed by every write to it, so that reads can be cached safely.

Who belongs where (memberships, enrolments, guardianships, teaching assignments…) is read on
every page to build the Actor, and changes rarely. Those reads are cached under the current
version; any change to the directory replaces the version, so no cached read outlives the data it
came from. Single-row saves and deletes bump it through signals (the console's actions, the
Django admin, tests); bulk writers (the demo, directory imports) call ``bump()`` themselves.

The version lives in the cache: with several processes the cache must be shared (Redis), which
is how Préau runs at scale. Cached reads also expire after ``SNAPSHOT_TIMEOUT`` as a bound.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

KEY = "directory:version"
SNAPSHOT_TIMEOUT = 600
T = TypeVar("T")


def current() -> str:
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, uuid.uuid4().hex, None)
        version = cache.get(KEY)
    return version


def bump() -> None:
    """Invalidate every cached directory read, now and again when the transaction commits.

    Now, so that the writing transaction itself reads fresh data; at commit, so that a reader
    who cached the old rows in between does not keep them.
    """
    cache.set(KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(KEY, uuid.uuid4().hex, None))


def full_key(key: str, version: str) -> str:
    return f"directory:{version}:{key}"


def cached(
    key: str, version: str, compute: Callable[[], T], prefetched: dict[str, Any] | None = None
) -> T:
    """``compute()``, cached under ``key`` for this directory version (None included).

    ``prefetched`` holds entries already read with ``cache.get_many`` (by full key).
    """
    stored_key = full_key(key, version)
    boxed: Any = (
        prefetched[stored_key]
        if prefetched is not None and stored_key in prefetched
        else cache.get(stored_key)
    )
    if boxed is None:
        boxed = (compute(),)
        cache.set(stored_key, boxed, SNAPSHOT_TIMEOUT)
    return boxed[0]


# A person's save that touches only these fields changes nothing the directory shows; logins
# update last_login, and must not empty every cache on a Monday morning.
PERSON_FIELDS_OUTSIDE_DIRECTORY = frozenset({"last_login", "password", "session_epoch", "language"})


def _bump_on_change(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields and set(update_fields) <= PERSON_FIELDS_OUTSIDE_DIRECTORY:
        return
    bump()


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from preau.directory import models

    watched = [
        get_user_model(),
        models.Academy,
        models.Establishment,
        models.SchoolYear,
        models.Level,
        models.Subject,
        models.SchoolClass,
        models.TeachingGroup,
        models.GroupMembership,
        models.Enrolment,
        models.TeachingAssignment,
        models.Membership,
        models.Guardianship,
        models.AcademyAdministrator,
    ]
    for model in watched:
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=f"dirv-save-{model}")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=f"dirv-del-{model}")
    m2m_changed.connect(
        _bump_on_change,
        sender=models.TeachingGroup.students.through,
        dispatch_uid="dirv-group-students",
    )
