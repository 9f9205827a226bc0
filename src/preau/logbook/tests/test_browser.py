"""Journey in a real Chromium: Mme Garcia sets homework for 4e B, Léa sees it at home and ticks
it done, her mother sees it for her."""

import re
from typing import Any

import pytest

from preau.core.browsing import log_in
from preau.core.tests.test_browser import accessibility_violations

pytestmark = pytest.mark.browser

INSTRUCTIONS = "Apprendre la conjugaison du passé simple"


def _open_a_french_lesson(page: Any, portal_url: str) -> None:
    """A French lesson of 4e B from next week on, so that its homework is still to come."""
    page.goto(f"{portal_url}/logbook/")
    for _ in range(4):
        page.get_by_role("link", name="Semaine suivante").click()
        page.wait_for_load_state()
        lessons = page.get_by_role("link", name=re.compile(r"Français · 4e B"))
        if lessons.count():
            lessons.first.click()
            page.wait_for_load_state()
            return
    raise AssertionError("No French lesson of 4e B in the coming weeks")


def test_garcia_sets_homework_lea_ticks_it_sophie_sees_it(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "prof.garcia")
    _open_a_french_lesson(page, portal_url)
    page.get_by_role("link", name="Donner du travail").click()
    page.wait_for_load_state()
    page.get_by_label("Type").select_option(label="À apprendre")
    page.get_by_label("Consignes").fill(INSTRUCTIONS)
    page.get_by_label("Pour la séance").select_option(index=1)
    page.get_by_label("Durée estimée (minutes)").fill("20")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    confirm = page.get_by_role("button", name="Confirmer et enregistrer")
    if confirm.count():  # the demo's day may already be busy: the teacher confirms
        confirm.click()
        page.wait_for_load_state()
    main = page.locator("main")
    assert "Le travail à faire est enregistré." in main.inner_text()
    assert INSTRUCTIONS in main.inner_text()

    page.context.clear_cookies()
    log_in(page, portal_url, "eleve.lea")
    panel = page.get_by_role("region", name="Travail à faire")
    assert INSTRUCTIONS in panel.inner_text()
    panel.get_by_role("link", name="Tout le travail à faire").click()
    page.wait_for_load_state()
    item = page.get_by_role("listitem").filter(has_text=INSTRUCTIONS)
    item.get_by_role("button", name=re.compile("Marquer comme fait")).click()
    page.wait_for_load_state()
    assert "Travail marqué comme fait." in page.locator("main").inner_text()
    item = page.get_by_role("listitem").filter(has_text=INSTRUCTIONS)
    assert "Fait ✓" in item.inner_text()
    assert accessibility_violations(page) == []

    page.context.clear_cookies()
    log_in(page, portal_url, "parent.sophie")
    page.goto(f"{portal_url}/logbook/homework/")
    page.get_by_label("Enfant").select_option(label="Léa")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()
    assert "Travail à faire · Léa" in page.locator("h1").inner_text()
    item = page.get_by_role("listitem").filter(has_text=INSTRUCTIONS)
    assert "Fait" in item.inner_text()
    assert item.get_by_role("button").count() == 0  # only Léa ticks her homework
