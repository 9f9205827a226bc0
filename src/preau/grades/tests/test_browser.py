"""Marks from the grid to the families, in a real Chromium: prof.bernard creates a maths
assessment for 4e B and enters the marks with the keyboard and a pasted column (saved by the
grid's script); prof.garcia, who teaches French in 4e B, cannot open it. Once the publication
time has come (the server restarted at the next day's 18:05), eleve.lea and parent.sophie see
Léa's mark with the averages, parent.karim only Noah's."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from preau.core.browsing import log_in, prepare_portal, serving

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")
TITLE = "Contrôle : théorème de Pythagore"
AVERAGE = re.compile(r"^\d{1,2},\d{2}$")


def sees_the_mark_and_averages(page: Any, mark: str) -> None:
    """The child's mark, the class's mean / minimum / maximum beside it (Noah's 9,5 the
    lowest, Léa's 15,5 the highest), the subject's average and the overall average."""
    row = page.locator("tr", has_text=TITLE)
    assert row.locator("[data-mark]").inner_text() == f"{mark}/20"
    assert row.locator(".grades-stats").inner_text().endswith("/ 9,5 / 15,5")
    subject = page.locator("section", has=row)
    assert AVERAGE.match(subject.locator("[data-subject-average]").inner_text())
    assert AVERAGE.match(page.locator("[data-overall]").inner_text())


def a_tuesday_in_a_period(data_dir: Path) -> date:
    """The first Tuesday from tomorrow inside one of the collège's grading periods (else the
    last Tuesday of its last period)."""
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        periods = db.execute(
            """
            SELECT p.start_date, p.end_date FROM directory_period p
            JOIN directory_establishment e ON e.id = p.establishment_id
            WHERE e.name = 'Collège Jean Moulin' ORDER BY p.start_date
            """
        ).fetchall()
    bounds = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in periods]
    day = date.today() + timedelta(days=1)
    for _ in range(400):
        if day.weekday() == 1 and any(a <= day <= b for a, b in bounds):
            return day
        day += timedelta(days=1)
    last = bounds[-1][1]
    return last - timedelta(days=(last.weekday() - 1) % 7)


def watch(page: Any) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return violations


def paste(page: Any, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.evaluate(
        """([selector, text]) => {
            const data = new DataTransfer();
            data.setData("text", text);
            document.querySelector(selector).dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true})
            );
        }""",
        [selector, text],
    )


def test_marks_entered_then_published_to_the_families(browser: Any, tmp_path: Any) -> None:
    from playwright.sync_api import expect

    env = prepare_portal(tmp_path)
    tuesday = a_tuesday_in_a_period(tmp_path)
    morning = datetime.combine(tuesday, time(10), tzinfo=PARIS)

    with serving(env, clock=morning) as url:
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        violations = watch(page)
        log_in(page, url, "prof.bernard")
        page.goto(f"{url}/grades/assessments/new/")
        page.get_by_label("Classe ou groupe, matière").select_option(label="4e B · Mathématiques")
        page.get_by_label("Intitulé").fill(TITLE)
        page.get_by_label("Date").fill(tuesday.isoformat())
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == TITLE
        grid_url = page.url

        # The keyboard: Noah's mark, Enter goes down to Léa's (Leroy, then Martin).
        noah = page.get_by_label("Note de Noah Leroy")
        noah.click()
        noah.fill("9,5")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
            "Note de Léa Martin"
        )
        page.keyboard.type("15,5")
        page.keyboard.press("ArrowUp")
        assert page.evaluate("document.activeElement.value") == "9,5"
        # A column from a spreadsheet, pasted below Léa's row: the two cells below fill in.
        cells = page.locator("input[data-cell]")
        labels = cells.evaluate_all("cells => cells.map(c => c.getAttribute('aria-label'))")
        below = labels.index("Note de Léa Martin") + 1
        pasted = below + 1 < len(labels)
        if pasted:
            paste(page, f'input[name="{cells.nth(below).get_attribute("name")}"]', "12\nABS\n")
        expect(page.locator("[data-status]")).to_contain_text("Enregistré", timeout=15000)
        expect(page.locator("td.is-dirty")).to_have_count(0, timeout=15000)
        page.goto(grid_url)  # saved by the script, without the button
        assert page.get_by_label("Note de Léa Martin").input_value() == "15,5"
        assert page.get_by_label("Note de Noah Leroy").input_value() == "9,5"
        if pasted:
            assert cells.nth(below).input_value() == "12"
            assert cells.nth(below + 1).input_value() == "ABS"
        assert (
            "Publication aux élèves et aux familles le mercredi"
            in page.locator("main").inner_text()
        )
        assert not violations, violations
        context.close()

        # Mme Garcia teaches French in 4e B: the maths marks are not hers to see or change.
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        log_in(page, url, "prof.garcia")
        assert page.goto(grid_url).status == 404
        assert page.goto(f"{grid_url}edit/").status == 404
        page.goto(f"{url}/grades/")
        assert TITLE not in page.locator("main").inner_text()
        context.close()

        # Before the publication time, Léa does not see it yet.
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        log_in(page, url, "eleve.lea")
        page.goto(f"{url}/grades/marks/")
        assert TITLE not in page.locator("main").inner_text()
        context.close()

    published = datetime.combine(tuesday + timedelta(days=1), time(18, 5), tzinfo=PARIS)
    with serving(env, clock=published) as url:
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
        page = context.new_page()
        violations = watch(page)
        log_in(page, url, "eleve.lea")
        page.goto(f"{url}/grades/marks/")
        sees_the_mark_and_averages(page, "15,5")
        main = page.locator("main").inner_text()
        assert "Moyenne générale" in main and "Mathématiques" in main
        assert not violations, violations
        context.close()

        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        log_in(page, url, "parent.sophie")
        page.goto(f"{url}/grades/marks/")
        page.get_by_label("Enfant").select_option(label="Léa")
        page.wait_for_url("**child=*")
        assert "Notes de Léa Martin" in page.locator("h1").inner_text()
        sees_the_mark_and_averages(page, "15,5")
        context.close()

        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        log_in(page, url, "parent.karim")
        page.goto(f"{url}/grades/marks/")
        main = page.locator("main").inner_text()
        assert "Notes de Noah Leroy" in main
        # Noah's own mark; Léa's 15,5 shows only as the class's maximum.
        sees_the_mark_and_averages(page, "9,5")
        assert "Léa Martin" not in main
        # The first server's address is gone: the same path on this one.
        assert page.goto(url + urlsplit(grid_url).path).status == 404
        context.close()
