"""Booking in a real Chromium, against the demo: Sophie (for Léa) and Karim (for Noah) submit
the same slot of M. Bernard's at the same instant, from two browsers; exactly one gets it and
the other is told to choose another. Then Sophie books Mme Garcia and downloads her schedule
as a PDF."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest

from preau.core.browsing import AXE, log_in

pytestmark = pytest.mark.browser

CAMPAIGN = "Rencontres parents-professeurs de 4e"
TAKEN = "Ce créneau vient d'être réservé par une autre famille : choisissez-en un autre."
BOOK_FORM = "form[action$='/book/']"


def wcag_violations(page: Any) -> list[str]:
    """WCAG 2.1 A/AA violations on the current page (axe-core, as the portal's own journeys)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    return [f"{v['id']}: {node['target']}" for v in result["violations"] for node in v["nodes"]]


def guardian(browser: Any, url: str, username: str, child: str | None = None) -> Any:
    """A phone signed in as the guardian, on M. Bernard's slots for their child."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, url, username)
    page.goto(f"{url}/meetings/")
    if child is not None:
        page.get_by_role("navigation", name="Mes enfants").get_by_role("link", name=child).click()
        page.wait_for_load_state()
    page.get_by_role("link", name=CAMPAIGN).first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Marc Bernard").click()
    page.wait_for_load_state()
    return page


def test_two_families_race_for_one_slot_then_a_pdf(browser: Any, portal_url: str) -> None:
    sophie = guardian(browser, portal_url, "parent.sophie", child="Léa")
    karim = guardian(browser, portal_url, "parent.karim")
    assert "Créneaux de Marc Bernard" in sophie.locator("main").inner_text()
    assert not wcag_violations(sophie)
    # The demo's families took 17:00 to 17:20: both choose 17:30.
    for page in (sophie, karim):
        page.get_by_label("17:30\u201317:40").check()
    # Both forms are submitted before either answer is awaited.
    with ExitStack() as stack:
        navigations = [stack.enter_context(page.expect_navigation()) for page in (sophie, karim)]
        for page in (sophie, karim):
            page.locator(BOOK_FORM).evaluate("form => form.requestSubmit()")
    for navigation in navigations:
        navigation.value  # noqa: B018 - waits for the page to be there
    texts = [page.locator("main").inner_text() for page in (sophie, karim)]
    won = [t for t in texts if "Rendez-vous réservé à 17:30 avec Marc Bernard." in t]
    lost = [t for t in texts if TAKEN in t]
    assert len(won) == 1 and len(lost) == 1, texts
    # The slot now shows as taken on both sides.
    for page in (sophie, karim):
        page.get_by_role("link", name="Marc Bernard").click()
        page.wait_for_load_state()
        assert page.get_by_label("17:30\u201317:40").is_disabled()
    karim.context.close()

    # Sophie books Mme Garcia at 18:30 for Léa, then keeps her schedule.
    sophie.get_by_role("link", name="Inès Garcia").click()
    sophie.wait_for_load_state()
    sophie.get_by_label("18:30\u201318:40").check()
    sophie.get_by_role("button", name="Réserver ce créneau").click()
    sophie.wait_for_load_state()
    main = sophie.locator("main").inner_text()
    assert "Rendez-vous réservé à 18:30 avec Inès Garcia." in main
    assert "salle A03" in sophie.locator("[data-family]").inner_text()
    with sophie.expect_download() as download:
        sophie.get_by_role("link", name="Télécharger le planning (PDF)").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    sophie.context.close()
