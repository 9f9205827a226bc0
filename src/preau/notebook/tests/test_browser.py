"""Journey in a real Chromium: Noah's father signs a notebook entry, its author sees it signed."""

from typing import Any

import pytest

from preau.core.browsing import log_in
from preau.core.tests.test_browser import accessibility_violations
from preau.notebook.demo import OBSERVATION_TEXT, OBSERVATION_TITLE

pytestmark = pytest.mark.browser


def test_karim_signs_an_entry_and_its_author_sees_it_signed(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "parent.karim")
    panel = page.get_by_role("region", name="Carnet de correspondance")
    assert "À signer pour Noah" in panel.inner_text()
    panel.get_by_role("link", name=OBSERVATION_TITLE).click()
    page.wait_for_load_state()
    main = page.locator("main")
    assert OBSERVATION_TEXT in main.inner_text()
    assert "Pas encore signé." in main.inner_text()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Signer").click()
    page.wait_for_load_state()
    assert "Votre signature est enregistrée." in main.inner_text()
    assert "Signé par Karim Leroy le" in main.inner_text()
    assert page.get_by_role("button", name="Signer").count() == 0
    page.get_by_role("link", name="Carnet de Noah").click()
    page.wait_for_load_state()
    assert accessibility_violations(page) == []

    page.context.clear_cookies()
    log_in(page, portal_url, "prof.bernard")
    page.goto(f"{portal_url}/notebook/")
    page.wait_for_load_state()
    row = page.get_by_role("row").filter(has_text=OBSERVATION_TITLE)
    assert "1 / 1" in row.inner_text()
    assert accessibility_violations(page) == []
    row.get_by_role("link", name=OBSERVATION_TITLE).click()
    page.wait_for_load_state()
    assert "Karim Leroy : signé le" in page.locator("main").inner_text()
