"""CAS ticket validations per second and their p95, over HTTP against the benchmark's gunicorn.

Each round is what a service's login costs Préau: the student, logged in, asks /cas/login for a
ticket for the collège's school-life software (the demo's registered service, with its
attribute-release policy), and the software's back end validates it at /cas/p3/serviceValidate.
Six client threads run rounds for the given time; validations are counted when the answer is an
authenticationSuccess.
"""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import parse_qs, quote, urlsplit

from preau.bench.load import LoadResult

STUDENT = "eleve.noah"


def _round(host: str, port: int, cookie: str, service: str) -> tuple[float, float] | None:
    """(issue seconds, validation seconds) of one round, or None if it failed."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(
            "GET", f"/cas/login?service={quote(service, safe='')}", headers={"Cookie": cookie}
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 302:
        return None
    ticket = parse_qs(urlsplit(response.headers["Location"]).query)["ticket"][0]
    issued = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(
            "GET", f"/cas/p3/serviceValidate?ticket={ticket}&service={quote(service, safe='')}"
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if b"authenticationSuccess" not in body:
        return None
    return issued - started, time.perf_counter() - issued


def measure(port: int, cookie: str, seconds: float, *, threads: int = 6) -> dict[str, LoadResult]:
    """Rounds from ``threads`` clients for ``seconds``: the validations and the issues."""
    from preau.cas.demo import SCHOOL_LIFE_URL

    service = SCHOOL_LIFE_URL + "accueil"
    results: list[tuple[int, list[float], list[float]]] = []

    def loop(deadline: float) -> None:
        errors, issues, validations = 0, [], []
        while time.monotonic() < deadline:
            try:
                timing = _round("127.0.0.1", port, cookie, service)
            except (OSError, http.client.HTTPException):
                timing = None
            if timing is None:
                errors += 1
                continue
            issues.append(timing[0])
            validations.append(timing[1])
        results.append((errors, issues, validations))

    def run(duration: float) -> tuple[LoadResult, LoadResult]:
        results.clear()
        started = time.monotonic()
        workers = [
            threading.Thread(target=loop, args=(started + duration,)) for _ in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - started
        issue, validation = LoadResult(seconds=elapsed), LoadResult(seconds=elapsed)
        for errors, issues, validations in results:
            issue.errors += errors
            validation.errors += errors
            issue.ok += len(issues)
            validation.ok += len(validations)
            issue.latencies.extend(issues)
            validation.latencies.extend(validations)
        return issue, validation

    run(min(3.0, seconds))  # warm-up
    issue, validation = run(seconds)
    return {"issue": issue, "validation": validation}
