"""Journey in a real Chromium: Mme Garcia sets homework for 4e B, Léa sees it at home and ticks
it done, her mother sees it for her."""

import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from preau.core.browsing import log_in, prepare_portal, serving
from preau.core.tests.test_browser import accessibility_violations

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
INSTRUCTIONS = "Apprendre la conjugaison du passé simple"


def next_french_lesson(data_dir: Path) -> datetime:
    """The start (UTC) of 4e B's next French lesson from tomorrow on, in the demo."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        row = db.execute(
            """
            SELECT l.start FROM timetable_lesson l
            JOIN directory_subject s ON s.id = l.subject_id
            JOIN directory_schoolclass c ON c.id = l.school_class_id
            WHERE c.name = '4e B' AND s.label = 'Français'
              AND l.status != 'cancelled' AND l.start > ?
            ORDER BY l.start LIMIT 1
            """,
            (tomorrow,),
        ).fetchone()
    assert row is not None, "the demo has no French lesson of 4e B to come"
    return datetime.fromisoformat(row[0]).replace(tzinfo=UTC)


def test_garcia_sets_homework_lea_ticks_it_sophie_sees_it(browser: Any, tmp_path: Any) -> None:
    # The server's clock is set to that lesson's morning, and the homework is due the next day,
    # so that it is always « to come » and on Léa's home page, whatever the holidays.
    env = prepare_portal(tmp_path)
    start = next_french_lesson(tmp_path)
    lesson_day = start.astimezone(PARIS).date()
    morning = datetime.combine(lesson_day, time(7, 30), tzinfo=PARIS)
    with serving(env, clock=morning) as portal_url:
        page = browser.new_context(locale="fr-FR").new_page()
        _journey(page, portal_url, lesson_day + timedelta(days=1))
        page.context.close()


def _journey(page: Any, portal_url: str, due: date) -> None:
    log_in(page, portal_url, "prof.garcia")
    page.goto(f"{portal_url}/logbook/")
    page.get_by_role("link", name=re.compile(r"Français · 4e B")).first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Donner du travail").click()
    page.wait_for_load_state()
    page.get_by_label("Type").select_option(label="À apprendre")
    page.get_by_label("Consignes").fill(INSTRUCTIONS)
    page.get_by_label("Ou pour le").fill(due.isoformat())
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
