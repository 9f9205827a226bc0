"""WebDAV locks in the database, so that every web node sees them.

The protocol layer (WsgiDAV's ``LockManager``) decides who may lock what and when a write
conflicts; this storage only keeps the locks, by person (each person has their own tree under
``/dav/``). Expired locks are ignored when read and removed when found. A person holds a few
locks at a time: they are read once per request (a listing asks about every member), and again
after any change.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from wsgidav.dav_error import HTTP_FORBIDDEN, DAVError
from wsgidav.lock_man.lock_manager import (
    LockManager,
    generate_lock_token,
    normalize_lock_root,
    validate_lock,
)

from preau.dav import namespace
from preau.dav.models import DavLock

DEFAULT_TIMEOUT = 60 * 60  # seconds, when the client asks for none or for « Infinite »
MAX_TIMEOUT = 7 * 24 * 60 * 60


def _stored(lock: dict[str, Any]) -> dict[str, Any]:
    data = dict(lock)
    data["owner"] = lock["owner"].decode("utf-8")
    return data


def _loaded(row: DavLock) -> dict[str, Any]:
    lock = dict(row.data)
    lock["owner"] = lock["owner"].encode("utf-8")
    lock["expire"] = row.expires_at
    lock["timeout"] = max(1, int(row.expires_at - time.time()))
    return lock


class DatabaseLockStorage:
    """The storage interface WsgiDAV's ``LockManager`` expects, over ``DavLock`` rows."""

    def __repr__(self) -> str:
        return "DatabaseLockStorage"

    def open(self) -> None:
        """Nothing to open: the database is there."""

    def close(self) -> None:
        """Nothing to close."""

    def cleanup(self) -> None:
        DavLock.objects.filter(expires_at__lt=time.time()).delete()

    def clear(self) -> None:
        DavLock.objects.filter(person=namespace.current().person).delete()
        forget()

    def _rows(self) -> Any:
        return DavLock.objects.filter(person=namespace.current().person)

    def _valid(self) -> list[DavLock]:
        memo = namespace.current().memo
        if "locks" not in memo:
            memo["locks"] = list(self._rows().filter(expires_at__gte=time.time()).order_by("id"))
        now = time.time()
        return [row for row in memo["locks"] if row.expires_at >= now]

    def get(self, token: str) -> dict[str, Any] | None:
        for row in self._valid():
            if row.token == token:
                return _loaded(row)
        return None

    def create(self, path: str, lock: dict[str, Any]) -> dict[str, Any]:
        """Store a new lock on ``path``; fills in its root, timeout, expiry and token."""
        current = namespace.current()
        root = normalize_lock_root(path)
        establishment = current.establishment_for(root)
        if establishment is None:
            raise DAVError(HTTP_FORBIDDEN)
        timeout = float(lock.get("timeout") or DEFAULT_TIMEOUT)
        if timeout < 0 or timeout > MAX_TIMEOUT:
            timeout = DEFAULT_TIMEOUT if timeout < 0 else MAX_TIMEOUT
        lock["root"] = root
        lock["timeout"] = timeout
        lock["expire"] = time.time() + timeout
        validate_lock(lock)
        lock["token"] = generate_lock_token()
        self._rows().filter(expires_at__lt=time.time()).delete()
        forget()
        DavLock.objects.create(
            establishment=establishment,
            person=current.person,
            token=lock["token"],
            root=root,
            data=_stored({k: v for k, v in lock.items() if k != "expire"}),
            expires_at=lock["expire"],
        )
        return lock

    def refresh(self, token: str, *, timeout: float) -> dict[str, Any]:
        if timeout < 0 or timeout > MAX_TIMEOUT:
            timeout = DEFAULT_TIMEOUT if timeout < 0 else MAX_TIMEOUT
        row = self._rows().get(token=token)
        row.expires_at = time.time() + timeout
        row.data = {**row.data, "timeout": timeout}
        row.save(update_fields=["expires_at", "data"])
        forget()
        return _loaded(row)

    def delete(self, token: str) -> bool:
        deleted, _ = self._rows().filter(token=token).delete()
        forget()
        return bool(deleted)

    def get_lock_list(
        self, path: str, *, include_root: bool, include_children: bool, token_only: bool
    ) -> list[Any]:
        """The valid locks on ``path`` itself and/or on the paths below it."""
        root = normalize_lock_root(path)
        below = namespace.children_of(root)
        rows = [
            row
            for row in self._valid()
            if (include_root and row.root == root)
            or (include_children and row.root.startswith(below))
        ]
        if token_only:
            return [row.token for row in rows]
        return [_loaded(row) for row in rows]


def forget() -> None:
    """Read the locks again at the next question (they changed, or may have elsewhere)."""
    namespace.current().memo.pop("locks", None)


class DatabaseLockManager(LockManager):
    """WsgiDAV's lock manager, whose check-then-lock runs in one transaction holding the
    person's row: two web nodes cannot both grant conflicting locks in one person's tree."""

    def acquire(self, **kwargs: Any) -> dict[str, Any]:
        with transaction.atomic():
            person = namespace.current().person
            get_user_model().objects.select_for_update().filter(pk=person.pk).exists()
            forget()
            return super().acquire(**kwargs)
