"""Journey in a real Chromium: Léa opens the médiacentre, keeps her maths textbook among her
favourites and opens it: the portal sends her to the publisher's address (the publisher's page
is stood in for: no network is needed)."""

from typing import Any

import pytest

from preau.core.browsing import log_in
from preau.core.tests.test_browser import accessibility_violations
from preau.resources.demo import MANUAL_4E

pytestmark = pytest.mark.browser

MANUAL_URL = "https://manuels.hirondelle.example/maths-4e"


def test_lea_keeps_her_textbook_in_her_favourites_and_opens_it(page: Any, portal_url: str) -> None:
    redirections: list[tuple[int, str]] = []

    def open_through_the_portal(route: Any) -> None:
        # The portal's own answer (checks, counting, 302), then the publisher's page in its
        # place: Chromium does not pass redirections through routes, and no network is needed.
        answer = route.fetch(max_redirects=0)
        redirections.append((answer.status, answer.headers.get("location", "")))
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body="<!doctype html><title>Hirondelle</title><h1>Mathématiques 4e</h1>",
        )

    page.context.route("**/resources/*/open/", open_through_the_portal)
    log_in(page, portal_url, "eleve.lea")
    page.goto(f"{portal_url}/resources/")
    assert accessibility_violations(page) == []
    manual = page.get_by_role("article").filter(has_text=MANUAL_4E)
    manual.get_by_role("button", name="Ajouter aux favoris").click()
    page.wait_for_load_state()
    assert "est dans vos favoris" in page.locator("main").inner_text()
    manual = page.get_by_role("article").filter(has_text=MANUAL_4E)
    assert manual.get_by_role("button", name="Retirer des favoris").is_visible()
    with page.expect_popup() as opened:
        manual.get_by_role("link", name="Ouvrir").click()
    textbook = opened.value
    textbook.wait_for_load_state()
    assert redirections == [(302, MANUAL_URL)]
    assert "Mathématiques 4e" in textbook.locator("h1").inner_text()
    # Back home, the panel lists her favourites.
    page.goto(f"{portal_url}/")
    assert MANUAL_4E in page.get_by_role("region", name="Médiacentre").inner_text()
