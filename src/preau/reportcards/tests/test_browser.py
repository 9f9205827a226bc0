"""A guardian downloads a report card, in a real Chromium: parent.sophie opens Léa's published
report card of the demo, reads her averages on the page, downloads the PDF, and the PDF's text
holds the same averages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from preau.core.browsing import log_in

pytestmark = pytest.mark.browser

MARK = re.compile(r"^\d{1,2},\d{2}$")


def test_guardian_downloads_the_report_card_pdf(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "parent.sophie")
    page.goto(f"{portal_url}/reportcards/")
    page.get_by_label("Enfant").select_option(label="Léa")
    # The child switcher submits itself: wait for that navigation, not the current page.
    page.wait_for_url("**child=*")
    assert "Bulletins de Léa" in page.locator("h1").inner_text()
    page.get_by_role("link", name=re.compile("Trimestre")).first.click()
    page.wait_for_load_state()
    averages = [
        text.strip()
        for text in page.locator("tbody td:nth-child(2)").all_inner_texts()
        if MARK.match(text.strip())
    ]
    overall = page.locator("tfoot td").first.inner_text().strip()
    assert averages and MARK.match(overall), "the demo's report card shows averages"
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    path = Path(download.value.path())
    assert download.value.suggested_filename.endswith(".pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Léa" in text and "Martin" in text.title()
    for value in [*averages, overall]:
        assert value in text, value
