"""The AAF directory feed (preau.feeds) for a whole academy.

``python -m preau.bench.aaf`` (in the benchmark's environment) writes a synthetic academy —
BENCH_AAF_PERSONS people (default 100,000: students, guardians, teachers, direction; students
and teachers in teaching groups) across
BENCH_AAF_ESTABLISHMENTS establishments (default 60) — as the six complete files of the feed,
imports them (duration, and the process's peak RSS before and after), then imports the same
files again: duration, and the statements that wrote to the directory, counted by a database
wrapper (there must be none). Prints JSON. The academy stays in the benchmark's database, which
is dropped at the end.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)", re.I)
# The import's log and its scratch list of the ids met are the only tables it may write to.
OWN_TABLES = re.compile(r'"?feeds_(feedimport|seenid)"?')


def _peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _import(folder: Path, academy: Any) -> dict[str, Any]:
    from django.db import connection

    from preau.feeds.actions import feed_files, import_file

    writes = {"count": 0}

    def count_writes(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if WRITE.match(sql) and not OWN_TABLES.search(sql):
            writes["count"] += 1
        return execute(sql, params, many, context)

    started = time.monotonic()
    files = {}
    with connection.execute_wrapper(count_writes):
        for feed in feed_files([folder]):
            log = import_file(feed, academy=academy)
            if log.error:
                raise RuntimeError(log.error)
            files[feed.kind] = {"records": log.records, "changes": sum(log.counts.values())}
    return {"seconds": time.monotonic() - started, "writes": writes["count"], "files": files}


def probe() -> dict[str, Any]:
    from preau.directory.models import Academy
    from preau.feeds.generate import generate

    persons = int(os.environ.get("BENCH_AAF_PERSONS", "100000"))
    establishments = int(os.environ.get("BENCH_AAF_ESTABLISHMENTS", "60"))
    folder = Path(tempfile.mkdtemp(prefix="preau-bench-aaf-"))
    try:
        started = time.monotonic()
        written = generate(folder, persons, establishments, first_uai=5000)
        generated_s = time.monotonic() - started
        megabytes = sum(p.stat().st_size for p in folder.iterdir()) / 1024 / 1024
        academy, _created = Academy.objects.get_or_create(
            code="BENCH-AAF", defaults={"name": "Académie du banc d'essai"}
        )
        rss_before = _peak_rss_kib()
        first = _import(folder, academy)
        rss_after = _peak_rss_kib()
        again = _import(folder, academy)
        rss_again = _peak_rss_kib()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "persons": sum(written[k] for k in ("students", "guardians", "teachers", "direction")),
        "written": written,
        "generate_s": generated_s,
        "megabytes": megabytes,
        "first": first,
        "again": again,
        "peak_rss_before_kib": rss_before,
        "peak_rss_after_kib": rss_after,
        "peak_rss_again_kib": rss_again,
    }


def describe(probe: dict[str, Any], say: Any) -> None:
    written, first, again = probe["written"], probe["first"], probe["again"]
    say(f"\nl) AAF directory feed: an academy of {probe['persons']} people, one process")
    say(
        f"  {written['students']} students, {written['guardians']} guardians, "
        f"{written['teachers']} teachers, {written['direction']} direction in "
        f"{written['establishments']} establishments, {written['groups']} teaching groups: six "
        f"complete files, {probe['megabytes']:.0f} MiB (written in {probe['generate_s']:.1f} s)"
    )
    changes = sum(f["changes"] for f in first["files"].values())
    say(
        f"  first import {first['seconds']:.1f} s "
        f"({probe['persons'] / first['seconds']:.0f} people/s, {changes} changes); peak RSS "
        f"{probe['peak_rss_before_kib'] / 1024:.0f} MiB before, "
        f"{probe['peak_rss_after_kib'] / 1024:.0f} MiB after"
    )
    unchanged = sum(f["changes"] for f in again["files"].values())
    say(
        f"  re-import of the same files {again['seconds']:.1f} s: {unchanged} changes, "
        f"{again['writes']} statements writing to the directory "
        f"({'writes nothing' if not again['writes'] and not unchanged else 'WROTE'}); peak RSS "
        f"{probe['peak_rss_again_kib'] / 1024:.0f} MiB"
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    import django

    django.setup()
    print(json.dumps(probe()))


if __name__ == "__main__":
    main()
