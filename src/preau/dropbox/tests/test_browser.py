"""Journey in a real Chromium: Noah hands in his essay, Mme Garcia sees it, his father too."""

from typing import Any

import pytest

from preau.core.browsing import log_in
from preau.core.tests.test_browser import accessibility_violations
from preau.dropbox.demo import ESSAY, pdf

pytestmark = pytest.mark.browser


def open_essay(page: Any, portal_url: str) -> None:
    page.goto(f"{portal_url}/dropbox/")
    page.get_by_role("link", name=ESSAY).first.click()
    page.wait_for_load_state()


def test_noah_hands_in_and_his_teacher_and_father_see_it(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "eleve.noah")
    open_essay(page, portal_url)
    mine = page.get_by_role("region", name="Mon dépôt")
    assert "À rendre" in mine.inner_text()
    assert accessibility_violations(page) == []
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "redaction-noah.pdf", "mimeType": "application/pdf", "buffer": pdf("N")}],
    )
    page.get_by_role("button", name="Déposer").click()
    page.wait_for_load_state()
    assert "Votre travail est déposé." in page.locator("main").inner_text()
    assert "redaction-noah.pdf" in mine.inner_text()
    assert "Rendu" in mine.inner_text()

    page.context.clear_cookies()
    log_in(page, portal_url, "prof.garcia")
    assert "Nouveaux dépôts" in page.locator("main").inner_text()
    open_essay(page, portal_url)
    row = page.get_by_role("row").filter(has_text="Leroy Noah")
    assert "Rendu" in row.inner_text() and "redaction-noah.pdf" in row.inner_text()
    assert accessibility_violations(page) == []
    # Her page to return Noah's work.
    row.get_by_role("link", name="Rendre").click()
    page.wait_for_load_state()
    assert "redaction-noah.pdf" in page.locator("main").inner_text()
    assert accessibility_violations(page) == []

    page.context.clear_cookies()
    log_in(page, portal_url, "parent.karim")
    page.goto(f"{portal_url}/dropbox/")
    essay = page.get_by_role("article").filter(has_text=ESSAY)
    assert "Rendu" in essay.inner_text()
    open_essay(page, portal_url)
    child = page.locator("main").inner_text()
    assert "Noah Leroy" in child and "Rendu" in child and "redaction-noah.pdf" not in child
    assert accessibility_violations(page) == []
