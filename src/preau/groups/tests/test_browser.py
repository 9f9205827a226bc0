"""Journey in a real Chromium: Garcia's theatre club, where Noah answers and Garcia reads it,
while Jade, who is not a member, finds nothing at the club's address."""

from typing import Any

import pytest

from preau.core.browsing import AXE, log_in

pytestmark = pytest.mark.browser


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()


def wcag_violations(page: Any) -> list[str]:
    """WCAG 2.1 A/AA violations on the current page (axe-core, as the portal's own journeys)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    return [f"{v['id']}: {node['target']}" for v in result["violations"] for node in v["nodes"]]


def test_noah_replies_in_the_club_and_garcia_reads_it(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "eleve.noah")
    # The home panel lists the club.
    page.get_by_role("region", name="Mes espaces").get_by_role("link", name="Club théâtre").click()
    page.wait_for_load_state()
    club_url = page.url
    assert page.locator("h1").inner_text() == "Club théâtre"
    page.get_by_role("link", name="Répétition de mercredi").click()
    page.wait_for_load_state()
    page.fill("textarea[name=body]", "Je peux apporter les accessoires.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.wait_for_load_state()
    assert "Je peux apporter les accessoires." in page.locator("main").inner_text()
    log_out(page)

    log_in(page, portal_url, "prof.garcia")
    page.goto(club_url)
    row = page.get_by_role("row").filter(has_text="Répétition de mercredi")
    assert "non lu" in row.inner_text()
    page.get_by_role("link", name="Répétition de mercredi").click()
    page.wait_for_load_state()
    reply = page.locator("article").filter(has_text="Je peux apporter les accessoires.")
    assert "Noah Leroy" in reply.inner_text()
    # The animator's pages, with their moderation buttons, meet WCAG 2.1 AA.
    assert wcag_violations(page) == []
    for path in ("", "members/?q=roux", "reports/"):
        page.goto(f"{club_url}{path}")
        assert wcag_violations(page) == [], path
    log_out(page)

    log_in(page, portal_url, "eleve.jade")
    response = page.goto(club_url)
    assert response.status == 404
    assert "Club théâtre" not in page.locator("body").inner_text()
