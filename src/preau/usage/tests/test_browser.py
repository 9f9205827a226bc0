"""The head reads the collège's statistics in a real Chromium: principal.moulin opens them from
the statistics' index and finds the share of guardians who logged in this month."""

from __future__ import annotations

import re
from typing import Any

import pytest

from preau.core.browsing import log_in
from preau.core.tests.test_browser import accessibility_violations

pytestmark = pytest.mark.browser


def test_the_head_reads_the_guardians_monthly_share(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "principal.moulin")
    page.goto(f"{portal_url}/usage/")
    page.locator("main").get_by_role("link", name="Collège Jean Moulin").click()
    page.wait_for_load_state()
    assert "Statistiques d'usage" in page.locator("h1").inner_text()
    headline = page.locator("#guardian-share").inner_text()
    assert "Responsables connectés ce mois-ci" in headline
    assert re.search(r"\b\d{1,3} %", headline), headline
    # The charts are drawn on the server.
    assert page.locator("svg.usage-chart").count() >= 2
    assert accessibility_violations(page) == []
