"""Measurements that need Django, run in a child process with the benchmark's environment.

``python -m preau.bench.probe queries`` counts the queries of parent.sophie's dashboard;
``python -m preau.bench.probe hashing`` times the production password hasher;
``python -m preau.bench.probe password`` gives the demo accounts' password;
``python -m preau.bench.probe mass-send`` times a message to every guardian of the collège.
Each prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

# OWASP Password Storage Cheat Sheet, first Argon2id setting: 19 MiB, 2 iterations, 1 lane.
OWASP_MINIMUM = {"memory_kib": 19 * 1024, "time_cost": 2, "parallelism": 1}


def count_dashboard_queries() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from preau.demo.cast import Cast

    cast = Cast.load()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(cast.sophie)
    client.get("/")  # warm the caches the way a returning visitor finds them
    with CaptureQueriesContext(connection) as context:
        response = client.get("/")
    session = [q for q in context.captured_queries if '"django_session"' in q["sql"]]
    return {
        "status": response.status_code,
        "queries": len(context.captured_queries) - len(session),
        "session_queries": len(session),
    }


def time_mass_send() -> dict[str, Any]:
    """The head writes to « Tous les responsables » of the collège: server time and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from preau.core.actor import Actor
    from preau.demo.cast import Cast
    from preau.messaging.actions import do_send_message

    cast = Cast.load()
    actor = Actor(cast.principal_moulin)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as context:
        result = do_send_message(
            actor=actor,
            subject="Réunion parents-professeurs",
            body="La réunion aura lieu jeudi à 17 h.",
            lists=["guardians"],
        )
    elapsed = time.perf_counter() - started
    return {
        "recipients": result.recipient_count,
        "seconds": elapsed,
        "queries": len(context.captured_queries),
    }


def time_hasher(seconds: float = 4.0) -> dict[str, Any]:
    from preau.accounts.hashers import PreauArgon2PasswordHasher
    from preau.demo.cast import DEMO_PASSWORD

    hasher = PreauArgon2PasswordHasher()
    encoded = hasher.encode(DEMO_PASSWORD, hasher.salt())
    assert hasher.verify(DEMO_PASSWORD, encoded)
    count = 0
    started = time.perf_counter()
    while count < 10 or time.perf_counter() - started < seconds:
        hasher.verify(DEMO_PASSWORD, encoded)
        count += 1
    elapsed = time.perf_counter() - started
    params = encoded.split("$")[3]  # argon2 $ argon2id $ v=19 $ m=…,t=…,p=… $ salt $ hash
    return {
        "verifications": count,
        "seconds": elapsed,
        "per_second": count / elapsed,
        "memory_kib": hasher.memory_cost,
        "time_cost": hasher.time_cost,
        "parallelism": hasher.parallelism,
        "encoded_params": params,
        "variant": encoded.split("$")[1],
    }


def open_drive_limits(megabytes: int) -> dict[str, Any]:
    """Let the collège's teachers keep and send files of ``megabytes`` (for the drive
    measurement): the default limits are far smaller."""
    from preau.demo.cast import Cast
    from preau.drive.models import DriveSettings

    cast = Cast.load()
    DriveSettings.objects.update_or_create(
        establishment=cast.moulin,
        defaults={"teacher_quota_mb": 4 * megabytes, "max_file_mb": 2 * megabytes},
    )
    return {"max_file_mb": 2 * megabytes}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    import django

    django.setup()
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "queries":
        result = count_dashboard_queries()
    elif what == "hashing":
        result = time_hasher()
    elif what == "mass-send":
        result = time_mass_send()
    elif what == "drive-limits":
        result = open_drive_limits(int(sys.argv[2]))
    elif what == "password":
        from preau.demo.cast import DEMO_PASSWORD

        result = DEMO_PASSWORD
    else:
        raise SystemExit(
            "usage: python -m preau.bench.probe queries|hashing|password|mass-send|drive-limits MB"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
