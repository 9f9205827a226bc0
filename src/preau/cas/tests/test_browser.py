"""Journey in a real Chromium: Léa logs in once on Préau, then opens her school-life software,
protected by CAS (a small application validating with python-cas), and is let in without typing
her password again. When she logs out of Préau, the software's session ends too (single
logout through the task worker), and coming back to it leads to Préau's login page.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from preau.cas.tests.live import CasProtectedApp, register, wsgi_server
from preau.core.browsing import log_in, prepare_portal, serving

pytestmark = pytest.mark.browser

APP = CasProtectedApp()


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: Any) -> Iterator[str]:
    """The portal with the software registered (overrides the shared fixture of the same name)."""
    env = prepare_portal(tmp_path_factory.mktemp("cas-journey"), students=10)
    with wsgi_server(APP) as app_url:
        APP.url = app_url
        register(env, "--name", "Vie scolaire", "--prefix", app_url, "--attribute", "uid")
        worker = subprocess.Popen(
            [sys.executable, "-m", "preau", "db_worker", "--interval", "0.5"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with serving(env) as url:
                APP.portal = url
                yield url
        finally:
            worker.terminate()
            worker.wait(timeout=10)


def test_lea_reaches_her_school_life_software_without_typing_her_password_again(
    page: Any, portal_url: str
) -> None:
    log_in(page, portal_url, "eleve.lea")
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))

    page.goto(APP.url)
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Bonjour eleve.lea"
    assert page.url == APP.url
    # Through /cas/login and back, never by the login form.
    assert not any("/accounts/login/" in url for url in visited)
    assert len(APP.sessions) == 1

    # Logging out of Préau ends the software's session too.
    page.goto(f"{portal_url}/")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()
    for _ in range(100):
        if not APP.sessions:
            break
        time.sleep(0.1)
    assert APP.sessions == {}
    page.goto(APP.url)
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert page.locator("input[name=password]").is_visible()
