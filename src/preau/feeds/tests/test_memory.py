"""The import streams: ten times more people does not take ten times the memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from preau.directory.models import Academy
from preau.feeds import actions
from preau.feeds.actions import feed_files, import_file
from preau.feeds.generate import generate

User = get_user_model()


def peak_of_import(folder: Path, persons: int, code: str, first_uai: int) -> int:
    """Python memory peak (bytes) while importing a generated academy of ``persons``."""
    generate(folder, persons, establishments=3, first_uai=first_uai)
    academy = Academy.objects.create(code=code, name=code)
    tracemalloc.start()
    try:
        for feed in feed_files([folder]):
            log = import_file(feed, academy=academy)
            assert not log.error, log.error
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_feed(db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    # Records are applied in batches: both feeds must hold many, the small one included.
    monkeypatch.setattr(actions, "BATCH", 40)
    small = peak_of_import(tmp_path / "small", 400, "SMALL", 1)
    users = User.objects.filter(directory_id__isnull=False).count()
    User.objects.filter(directory_id__isnull=False).delete()
    large = peak_of_import(tmp_path / "large", 4000, "LARGE", 10)
    assert User.objects.filter(directory_id__isnull=False).count() > 9 * users
    # A feed held in memory would cost ten times the small one's peak.
    assert large < 2.5 * small, (small, large)
