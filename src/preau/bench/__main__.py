"""`make bench`: the guardian dashboard under load, the cost of a login, the drive's memory
with a large file, the roll call's storm, the grades' publication burst, the report cards'
PDFs of the whole collège, a teacher's export of a year of personal data, the daily aggregation
of the usage statistics for an academy of 100,000 accounts and the import of an academy's
directory feed (AAF).

Creates a fresh PostgreSQL database, loads the demo school, serves it with gunicorn (DEBUG off,
sync workers) and measures, with the same client load, requests per second on the guardian
dashboard (``/`` as parent.sophie) and on the trivial health view (``/healthz``). Then times the
production Argon2id hasher. Then uploads and downloads one large file through the drive and
reports the gunicorn workers' peak memory before and after. Everything it starts is stopped and
the database dropped on exit.

Environment (all optional): BENCH_POSTGRES_URL (a maintenance database URL, default
postgresql://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/15), BENCH_SECONDS (per measurement, default 10), BENCH_WORKERS (gunicorn
workers, default 3), BENCH_DRIVE_MB (the drive's file, default 1024 MiB; 0 to skip),
BENCH_BURST_SECONDS (the grades' publication burst, standing for ten minutes; default 10),
BENCH_USAGE_ACCOUNTS (the accounts of the usage statistics' academy, default 100000),
BENCH_AAF_PERSONS and BENCH_AAF_ESTABLISHMENTS (the academy of the AAF feed, default 100000
people in 60 establishments).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from typing import Any

from preau.bench import (
    aaf,
    attendance,
    cas,
    drive,
    grades,
    personaldata,
    reportcards,
    timetable,
    usage,
)
from preau.bench.load import LoadResult, run_load
from preau.bench.probe import OWASP_MINIMUM

HOST = "127.0.0.1"
DATABASE = "preau_bench"
TARGET_RATIO = 0.15
GUARDIAN = "parent.sophie"


class BenchError(Exception):
    """A precondition failed: said plainly, without a traceback."""


def say(text: str = "") -> None:
    print(text, flush=True)


# -- PostgreSQL and Redis ------------------------------------------------------------------------
def maintenance_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", f"postgresql://postgres@{HOST}:5432/postgres")


def database_url() -> str:
    parts = urllib.parse.urlsplit(maintenance_url())
    return urllib.parse.urlunsplit(parts._replace(path=f"/{DATABASE}"))


def _admin(statement: str) -> None:
    import psycopg

    try:
        with psycopg.connect(maintenance_url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(statement)
    except psycopg.OperationalError as error:
        raise BenchError(
            f"PostgreSQL is not reachable at {maintenance_url()} ({error}). Start it, or set "
            "BENCH_POSTGRES_URL to a database the benchmark may use to create and drop "
            f"« {DATABASE} »."
        ) from error


@contextmanager
def fresh_database() -> Iterator[str]:
    _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DATABASE}")
    try:
        yield database_url()
    finally:
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", f"redis://{HOST}:6379/15")


def clear_redis(url: str) -> None:
    """Remove what Préau keeps in the benchmark's Redis database (its sessions and cache)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        keys = list(client.scan_iter("preau-*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError as error:
        raise BenchError(f"Redis is not reachable at {url} ({error}).") from error


# -- the server ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run(env: dict[str, str], *args: str) -> str:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, *args], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode:
        raise BenchError(f"`{' '.join(args)}` failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


@contextmanager
def server(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "preau.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            # A large file takes longer than the default 30 s to cross the drive.
            "--timeout",
            "600",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with status {process.returncode}.")
            try:
                status, _headers, _body = request(port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer /healthz within 30 seconds.")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def cookies_from(headers: http.client.HTTPMessage, jar: dict[str, str]) -> None:
    for header in headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            jar[name] = morsel.value


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def log_in(port: int, username: str, password: str) -> dict[str, str]:
    """Log in through the login form, as a browser would; return the cookies."""
    jar: dict[str, str] = {}
    status, headers, page = request(port, "GET", "/accounts/login/")
    if status != 200:
        raise BenchError(f"GET /accounts/login/ answered {status}.")
    cookies_from(headers, jar)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match or "csrftoken" not in jar:
        raise BenchError("The login page carries no CSRF token.")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)}
    )
    status, headers, _page = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header(jar),
        },
    )
    cookies_from(headers, jar)
    if status not in (302, 303) or "sessionid" not in jar:
        raise BenchError(f"Logging in as {username} failed (status {status}).")
    return jar


# -- the measurements ----------------------------------------------------------------------------
def measure(port: int, path: str, headers: dict[str, str], seconds: float) -> LoadResult:
    run_load(HOST, port, path, headers=headers, seconds=min(3.0, seconds))  # warm-up
    return run_load(HOST, port, path, headers=headers, seconds=seconds)


def describe(label: str, result: LoadResult) -> None:
    say(
        f"  {label:<22} {result.per_second:8.1f} req/s   "
        f"p50 {result.percentile(0.5) * 1000:6.1f} ms   "
        f"p95 {result.percentile(0.95) * 1000:6.1f} ms"
        f"   ({result.ok} ok, {result.errors} errors in {result.seconds:.1f} s)"
    )


def bench() -> int:
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    workers = int(os.environ.get("BENCH_WORKERS", "3"))
    cores = os.cpu_count() or 1
    drive_mb = int(os.environ.get("BENCH_DRIVE_MB", "1024"))
    static_root = tempfile.mkdtemp(prefix="preau-bench-static-")
    media_root = tempfile.mkdtemp(prefix="preau-bench-media-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "REDIS_URL": redis_url(),
        "STATIC_ROOT": static_root,
        "MEDIA_ROOT": media_root,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "preau.settings",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    say(f"Préau benchmark — {cores} CPU cores, gunicorn {workers} sync workers, {seconds:g} s runs")
    clear_redis(env["REDIS_URL"])
    try:
        with fresh_database() as url:
            env["DATABASE_URL"] = url
            say(f"Database « {DATABASE} » created on PostgreSQL; loading the demo school…")
            run(env, "-m", "preau", "migrate", "--noinput", "-v", "0")
            started = time.monotonic()
            summary = run(env, "-m", "preau", "demo", "--allow-production")
            say(f"  demo built in {time.monotonic() - started:.1f} s (PostgreSQL):")
            for line in summary.strip().splitlines()[:-1]:
                say(f"    {line}")
            run(env, "-m", "preau", "collectstatic", "--noinput", "-v", "0")
            probe = json.loads(run(env, "-m", "preau.bench.probe", "queries"))
            if probe["status"] != 200:
                raise BenchError(f"The dashboard answered {probe['status']} in-process.")

            password = json.loads(run(env, "-m", "preau.bench.probe", "password"))
            timetable_probe = json.loads(run(env, "-m", "preau.bench.timetable"))
            timetable_feed = json.loads(run(env, "-m", "preau.bench.timetable", "feed-path"))
            if drive_mb:
                run(env, "-m", "preau.bench.probe", "drive-limits", str(drive_mb))
            roll_call_probe = json.loads(run(env, "-m", "preau.bench.attendance", "probe"))
            storm_spec = json.loads(run(env, "-m", "preau.bench.attendance", "storm-setup"))
            grades_probe = json.loads(run(env, "-m", "preau.bench.grades", "probe"))
            reportcards_probe = json.loads(run(env, "-m", "preau.bench.reportcards"))
            personaldata_probe = json.loads(run(env, "-m", "preau.bench.personaldata"))
            usage_probe = json.loads(run(env, "-m", "preau.bench.usage"))

            port = free_port()
            with server(env, port, workers) as master:
                jar = log_in(port, GUARDIAN, password)
                headers = {"Cookie": cookie_header(jar)}
                status, _h, page = request(port, "GET", "/", headers=headers)
                if status != 200 or "Léa" not in page:
                    raise BenchError(f"The guardian dashboard answered {status}.")
                say("\na) Guardian dashboard against the health view, same client load")
                say("   (2 client processes x 3 threads, one connection each, on 127.0.0.1)")
                dashboard = measure(port, "/", headers, seconds)
                describe(f"GET / ({GUARDIAN})", dashboard)
                health = measure(port, "/healthz", {}, seconds)
                describe("GET /healthz", health)
                student = cookie_header(log_in(port, timetable.STUDENT, password))
                timetable_load = timetable.measure(port, student, timetable_feed["path"], seconds)
                storm_result = attendance_storm(port, password, storm_spec, seconds)
                cas_student = cookie_header(log_in(port, cas.STUDENT, password))
                cas_load = cas.measure(port, cas_student, seconds)
                burst_spec = json.loads(run(env, "-m", "preau.bench.grades", "burst-setup"))
                burst_window = float(os.environ.get("BENCH_BURST_SECONDS", max(seconds, 10)))
                burst_result = grades.burst(port, burst_spec["visitors"], burst_window)
                if drive_mb:
                    teacher = cookie_header(log_in(port, "prof.garcia", password))
                    drive_result = drive.measure(port, master.pid, teacher, drive_mb)
            storm_saved = json.loads(
                run(
                    env,
                    "-m",
                    "preau.bench.attendance",
                    "storm-check",
                    json.dumps([t["path"] for t in storm_spec["teachers"]]),
                )
            )
            # After the load, so that the new notifications do not change what it measured.
            mass_send = json.loads(run(env, "-m", "preau.bench.probe", "mass-send"))
            # Last: the academy it imports must not weigh on the other measurements.
            aaf_probe = json.loads(run(env, "-m", "preau.bench.aaf"))
    finally:
        clear_redis(env["REDIS_URL"])
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(media_root, ignore_errors=True)

    ratio = dashboard.per_second / health.per_second if health.per_second else 0.0
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    say(f"  ratio dashboard / healthz: {ratio:.3f} ({verdict} the {TARGET_RATIO} target)")
    say(
        f"  dashboard queries: {probe['queries']} "
        f"(+{probe['session_queries']} for the session), whatever the school's size"
    )

    say("\nb) A message from the head to every guardian of the collège (one send, in-process)")
    say(
        f"  {mass_send['recipients']} recipients: {mass_send['seconds'] * 1000:.0f} ms server "
        f"time, {mass_send['queries']} queries (bulk: the count does not grow with the recipients)"
    )

    say("\nc) Logins per second per core, production hasher (PreauArgon2PasswordHasher)")
    hashing = json.loads(run(env, "-m", "preau.bench.probe", "hashing"))
    say(
        f"  {hashing['variant']} m={hashing['memory_kib']} KiB "
        f"({hashing['memory_kib'] / 1024:g} MiB), t={hashing['time_cost']}, "
        f"p={hashing['parallelism']}  [{hashing['encoded_params']}]"
    )
    say(
        f"  {hashing['per_second']:.1f} verifications/s on one core "
        f"({1000 / hashing['per_second']:.1f} ms each; {hashing['verifications']} timed); "
        f"about {hashing['per_second'] * cores:.0f}/s on {cores} cores"
    )
    minimum = OWASP_MINIMUM
    meets = (
        hashing["memory_kib"] >= minimum["memory_kib"]
        and hashing["time_cost"] >= minimum["time_cost"]
        and hashing["parallelism"] >= minimum["parallelism"]
    )
    say(
        f"  OWASP minimum m={minimum['memory_kib']} KiB, t={minimum['time_cost']}, "
        f"p={minimum['parallelism']}: {'met' if meets else 'NOT met'} "
        f"(memory x{hashing['memory_kib'] / minimum['memory_kib']:.2f}, "
        f"iterations x{hashing['time_cost'] / minimum['time_cost']:.2f})"
    )
    describe_timetable(timetable_probe, timetable_load)
    storm_result["guardians"] = len(storm_spec["guardians"])
    describe_attendance(roll_call_probe, storm_result, storm_saved, len(storm_spec["teachers"]))
    describe_cas(cas_load)
    describe_grades(grades_probe, burst_spec, burst_result)
    if drive_mb:
        describe_drive(drive_result)
    describe_reportcards(reportcards_probe)
    personaldata.describe(personaldata_probe, say)
    usage.describe(usage_probe, say)
    aaf.describe(aaf_probe, say)
    return 0


def describe_cas(load: dict[str, LoadResult]) -> None:
    say(f"\ng) CAS: {cas.STUDENT} logs in to the collège's school-life software (6 client threads)")
    say("   a ticket from /cas/login, validated at /cas/p3/serviceValidate with attributes")
    describe("validations", load["validation"])
    describe("tickets issued", load["issue"])


def describe_timetable(probe: dict[str, Any], load: dict[str, LoadResult]) -> None:
    say(f"\ne) Timetable: {timetable.STUDENT}'s week view and iCalendar feed")
    for label in ("demo", "doubled"):
        row = probe[label]
        say(
            f"  {label:<8} {row['lessons_of_4e_b']:5d} lessons of 4e B: week view "
            f"{row['week_queries']} queries ({row['week_ms']:.1f} ms in-process), feed "
            f"{row['feed_queries']} queries ({row['feed_ms']:.1f} ms, {row['feed_bytes']} bytes)"
        )
    describe("GET /timetable/ (week)", load["week"])
    describe("GET feed .ics", load["feed"])


def attendance_storm(
    port: int, password: str, spec: dict[str, Any], seconds: float
) -> dict[str, Any]:
    """The 8 o'clock storm (see bench/attendance.py): everyone logged in first, then the
    teachers' roll calls spread over one window while the guardians read their absences."""
    teachers = {t["username"]: log_in(port, t["username"], password) for t in spec["teachers"]}
    guardians = [cookie_header(log_in(port, name, password)) for name in spec["guardians"]]
    window = float(os.environ.get("BENCH_STORM_SECONDS", max(seconds * 2, 20)))
    return attendance.storm(port, spec["teachers"], teachers, guardians, window)


def describe_attendance(
    probe: dict[str, Any], storm: dict[str, Any], saved: dict[str, Any], teachers: int
) -> None:
    guardians = storm["guardians"]
    say("\nf) Roll call and attendance")
    for size in ("30", "10"):
        row = probe[size]
        say(
            f"  roll call of a {row['students']}-student class (3 absent, 2 late), in-process: "
            f"first save through the page {row['request_queries']} queries, an edit through "
            f"the action {row['action_queries']} (one transaction each); server time median "
            f"{row['median_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms"
        )
    say(
        f"  the 8 o'clock storm: {teachers} teachers open and save a roll call within "
        f"{storm['seconds']:.0f} s while {guardians} guardians "
        "open their absences page"
    )
    for label, timings in (
        ("roll call page", storm["pages"]),
        ("roll call save", storm["saves"]),
        ("absences page", storm["absences"]),
    ):
        say(
            f"    {label:<15} {timings.ok:5d} ok  {timings.errors} errors   "
            f"p50 {timings.percentile(0.5) * 1000:6.1f} ms   "
            f"p95 {timings.percentile(0.95) * 1000:6.1f} ms"
        )
    say(
        f"    throughput {storm['throughput']:.1f} req/s, {storm['errors']} errors; "
        f"{saved['roll_calls']} of {teachers} roll calls in the database"
    )


def describe_grades(probe: dict[str, Any], spec: dict[str, Any], burst: dict[str, Any]) -> None:
    say("\nh) Grades")
    for size in ("30", "10"):
        row = probe[size]
        say(
            f"  {row['students']}-student class, maths grid with {row['columns']} assessments: "
            f"{row['grid_queries']} queries, median {row['grid_ms']:.1f} ms "
            f"(p95 {row['grid_p95_ms']:.1f}); a column saved through record_marks "
            f"{row['column_save_queries']} queries, {row['column_save_ms']:.1f} ms"
        )
        say(
            f"    averages of the class across {row['subjects']} subjects ({row['marks']} marks): "
            f"selector {row['table_queries']} queries, {row['table_ms']:.1f} ms; page "
            f"{row['averages_page_queries']} queries, median {row['averages_page_ms']:.1f} ms "
            f"(p95 {row['averages_page_p95_ms']:.1f})"
        )
        say(
            f"    eleve.lea's marks page: {row['marks_page_first_queries']} queries on the first "
            f"visit, {row['marks_page_queries']} after (the class's averages cached), median "
            f"{row['marks_page_ms']:.1f} ms (p95 {row['marks_page_p95_ms']:.1f})"
        )
    pages = burst["pages"]
    visitors = len(spec["visitors"])
    say(
        f"  the publication burst: {spec['published']} assessments published at once, "
        f"{visitors} of the collège's {spec['guardians']} guardians ({grades.SHARE:.0%}) open "
        f"their child's marks within {burst['window']:.0f} s (ten minutes, compressed; the "
        f"last answer after {burst['seconds']:.0f} s)"
    )
    say(
        f"    marks page {pages.ok:5d} ok  {pages.errors} errors   "
        f"p50 {pages.percentile(0.5) * 1000:6.1f} ms   p95 {pages.percentile(0.95) * 1000:6.1f} ms"
        f"   throughput {burst['throughput']:.1f} req/s "
        f"(offered {visitors / burst['window']:.1f}/s); "
        f"{burst['without_the_new_mark']} pages without the new mark"
    )


def describe_drive(result: dict[str, Any]) -> None:
    size = result["megabytes"]
    say(f"\nd) The drive: one {size} MiB file uploaded, then downloaded, through gunicorn")
    say(
        f"  upload {result['upload_seconds']:.1f} s ({size / result['upload_seconds']:.0f} MiB/s), "
        f"download {result['download_seconds']:.1f} s "
        f"({size / result['download_seconds']:.0f} MiB/s)"
    )
    before, after = result["peak_before_kib"], result["peak_after_kib"]
    say(
        f"  largest worker peak RSS (VmHWM, {result['workers']} workers): {before / 1024:.0f} MiB "
        f"before, {result['peak_after_upload_kib'] / 1024:.0f} MiB after the upload, "
        f"{after / 1024:.0f} MiB after the download "
        f"(largest growth of one worker: {result['largest_growth_kib'] / 1024:.1f} MiB for a "
        f"{size} MiB file: streamed, never held whole)"
    )


def describe_reportcards(probe: dict[str, Any]) -> None:
    say(f"\ni) Report cards of {reportcards.COLLEGE}, made and stored in one process (one core)")
    say(
        f"  {probe['report_cards']} PDFs for {probe['classes']} classes in "
        f"{probe['seconds']:.1f} s: {probe['per_second']:.1f} PDFs/s per core "
        f"({probe['per_cpu_second']:.1f} per CPU second) "
        f"(a class in {probe['class_median_s']:.1f} s, median; {probe['pdf_kib']:.0f} KiB a PDF)"
    )
    say(
        f"  peak RSS {probe['peak_rss_before_kib'] / 1024:.0f} MiB before, "
        f"{probe['peak_rss_after_kib'] / 1024:.0f} MiB after"
    )


def main() -> None:
    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        sys.exit(bench())
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
