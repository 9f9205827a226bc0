"""Fixtures for journeys in a real Chromium, against a server started as `make run` starts it.

The server runs in its own process with the embedded defaults (SQLite in a temporary folder, the
demo school), one per test module, so these tests also check that a fresh install serves the
portal. Journeys of any app use them: ``portal_url``, ``browser``, ``page`` and ``log_in``.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest

from preau.demo.cast import DEMO_PASSWORD, DEMO_TOTP_SECRET

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# axe-core (MPL-2.0), the accessibility engine, run inside the page to check WCAG 2.1 A and AA.
AXE = Path(__file__).parent / "tests" / "static" / "vendor" / "axe-4.14.1.min.js"
MANAGE = [sys.executable, "-m", "preau"]
# The same command with the clock set (journeys that happen at 21:00, then at 07:00).
AT_TIME = [sys.executable, "-m", "preau.core.tests.at_time"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        reason = "Chromium is not installed (apt-get install chromium): browser tests skipped."
        if os.environ.get("PREAU_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_portal(
    data_dir: Path, *, students: int = 40, port: int | None = None
) -> dict[str, str]:
    """Install a portal in ``data_dir`` as ``make run`` does; return its environment. With
    ``port``, the portal's public address (PORTAL_URL) is that port's, for journeys whose
    addresses are absolute (LTI: the demo tool and Préau call each other)."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "PREAU_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
    if port is not None:
        env["PORTAL_URL"] = f"http://127.0.0.1:{port}"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for command in (["migrate", "--noinput", "-v0"], ["demo", "--students", str(students)]):
        subprocess.run([*MANAGE, *command], env=env, check=True, capture_output=True)  # noqa: S603
    return env


@contextmanager
def serving(
    env: dict[str, str], *, clock: datetime | None = None, port: int | None = None
) -> Iterator[str]:
    """Serve a prepared portal; with ``clock``, the server's time starts at that moment."""
    _require_browser()
    port = port or _free_port()
    command = [*MANAGE] if clock is None else [*AT_TIME, clock.isoformat()]
    server = subprocess.Popen(  # noqa: S603
        [*command, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: Any) -> Iterator[str]:
    _require_browser()
    env = prepare_portal(tmp_path_factory.mktemp("portal"))
    with serving(env) as url:
        yield url


@pytest.fixture(scope="module")
def browser(portal_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


# The last TOTP time step used per (server port, username): a code is accepted once only, and
# the same server may be reached as 127.0.0.1 or as localhost.
_SPENT_STEPS: dict[tuple[int | None, str], int] = {}


def server_time(page: Any, portal_url: str) -> float:
    """The portal's clock (its Date header), which may be set apart from ours (AT_TIME)."""
    response = page.request.get(f"{portal_url}/healthz")
    return parsedate_to_datetime(response.headers["date"]).timestamp()


def demo_totp_code(page: Any, portal_url: str, username: str) -> str:
    """A code of the demo authenticator (DEMO_TOTP_SECRET) the portal has not yet accepted: the
    current one, or the next (accepted too, for drifting clocks) when the current was spent."""
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    now = server_time(page, portal_url)
    step = int(now) // 30
    key = (urlsplit(portal_url).port, username)
    spent = _SPENT_STEPS.get(key, 0)
    if spent >= step + 1:
        time.sleep((spent - step) * 30 - now % 30 + 1)
        now = server_time(page, portal_url)
        step = int(now) // 30
    step = max(step, spent + 1)
    _SPENT_STEPS[key] = step
    return totp.at(step * 30)


def log_in(page: Any, portal_url: str, username: str) -> None:
    """Log in with the demo password, and the demo authenticator's code when the portal asks."""
    page.goto(f"{portal_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/login/code/" in page.url:
        page.fill("input[name=code]", demo_totp_code(page, portal_url, username))
        page.click("button[type=submit]")
        page.wait_for_load_state()
