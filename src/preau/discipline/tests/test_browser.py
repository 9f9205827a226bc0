"""Journey in a real Chromium: Noah's father acknowledges his detention, the CPE sees it."""

from typing import Any

import pytest

from preau.core.browsing import log_in
from preau.core.tests.test_browser import accessibility_violations
from preau.discipline.demo import DETENTION_NOTES, DETENTION_TEXT

pytestmark = pytest.mark.browser


def test_karim_acknowledges_the_detention_and_the_cpe_sees_it(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "parent.karim")
    panel = page.get_by_role("region", name="Punitions et sanctions")
    assert "À signer pour Noah" in panel.inner_text()
    panel.get_by_role("link", name="Retenue").click()
    page.wait_for_load_state()
    main = page.locator("main")
    assert DETENTION_TEXT in main.inner_text()
    assert DETENTION_NOTES not in page.content()
    assert "En attente de prise de connaissance" in main.inner_text()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="J'ai pris connaissance").click()
    page.wait_for_load_state()
    assert "Votre prise de connaissance est enregistrée." in main.inner_text()
    assert "par Karim Leroy" in main.inner_text()
    assert page.get_by_role("button", name="J'ai pris connaissance").count() == 0

    page.context.clear_cookies()
    log_in(page, portal_url, "cpe.moulin")
    page.goto(f"{portal_url}/discipline/")
    page.wait_for_load_state()
    row = page.get_by_role("row").filter(has_text="Leroy Noah").filter(has_text="Retenue")
    assert "Pris connaissance" in row.inner_text()
    assert accessibility_violations(page) == []
    row.get_by_role("link", name="Retenue").click()
    page.wait_for_load_state()
    assert DETENTION_NOTES in page.locator("main").inner_text()


def test_bernard_gives_a_detention_from_the_form(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "prof.bernard")
    page.goto(f"{portal_url}/discipline/")
    page.get_by_role("link", name="Donner une punition").click()
    page.wait_for_load_state()
    assert accessibility_violations(page) == []
    page.get_by_label("Élève").select_option(label="Leroy Noah")
    page.get_by_label("Nature").select_option(label="Retenue")
    page.get_by_label("Motif").fill("Oubli répété du matériel")
    page.get_by_label("Date de la retenue").fill("2000-01-05")
    page.get_by_label("Début").fill("16:00")
    page.get_by_label("Fin").fill("17:00")
    page.get_by_label("Lieu de la retenue").fill("Permanence")
    page.get_by_label("Texte pour la famille").fill("Retenue pour oubli répété du matériel.")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert").filter(has_text="année scolaire")
    assert "La date de la retenue doit être dans l'année scolaire" in alert.inner_text(timeout=3000)
