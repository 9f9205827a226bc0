"""The roll call to the justification, in a real Chromium: prof.bernard takes the 4e B roll call
with Noah absent, parent.karim sees it and justifies it, cpe.moulin accepts, and the record
shows justified. The server is started a few minutes into a 4e B lesson of M. Bernard's to
come (read from the demo's timetable), so that it is the lesson to take now."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from preau.core.browsing import log_in, prepare_portal, serving

pytestmark = pytest.mark.browser


def next_bernard_lesson(data_dir: Path) -> datetime:
    """The start (UTC) of M. Bernard's next 4e B lesson, from tomorrow on."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        row = db.execute(
            """
            SELECT l.start FROM timetable_lesson l
            JOIN timetable_lessonteacher lt ON lt.lesson_id = l.id
            JOIN accounts_user u ON u.id = lt.teacher_id
            JOIN directory_schoolclass c ON c.id = l.school_class_id
            WHERE u.username = 'prof.bernard' AND c.name = '4e B'
              AND l.status != 'cancelled' AND l.start > ?
            ORDER BY l.start LIMIT 1
            """,
            (tomorrow,),
        ).fetchone()
    assert row is not None, "the demo has no lesson of M. Bernard in 4e B to come"
    return datetime.fromisoformat(row[0]).replace(tzinfo=UTC)


def test_roll_call_absence_justified_and_accepted(browser: Any, tmp_path: Any) -> None:
    env = prepare_portal(tmp_path)
    start = next_bernard_lesson(tmp_path)

    with serving(env, clock=start + timedelta(minutes=4)) as url:
        # The teacher, on a phone: the home page offers the lesson of now.
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        log_in(page, url, "prof.bernard")
        page.get_by_role("link", name="Faire l'appel : Mathématiques, 4e B").click()
        page.wait_for_load_state()
        assert "Appel : Mathématiques, 4e B" in page.locator("h1").inner_text()
        noah = page.get_by_role("group", name="Leroy Noah")
        noah.get_by_label("Absent").check()
        # The small enhancement: a live count, and the minutes field for late students only.
        assert "1 absent(s)" in page.locator("[data-summary]").inner_text()
        assert not noah.get_by_label("minutes").is_visible()
        page.get_by_role("button", name="Enregistrer l'appel").click()
        page.wait_for_load_state()
        assert "Appel enregistré : 1 absent(s), 0 retard(s)." in page.locator("main").inner_text()
        assert not violations, violations
        context.close()

        # Noah's father sees the absence and justifies it.
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
        page = context.new_page()
        log_in(page, url, "parent.karim")
        page.goto(f"{url}/attendance/absences/")
        main = page.locator("main").inner_text()
        assert "Mathématiques" in main and "À justifier" in main
        page.get_by_role("link", name="Justifier").first.click()
        page.wait_for_load_state()
        page.get_by_label("Motif").select_option(label="Rendez-vous médical")
        page.get_by_label("Commentaire (facultatif)").fill("Rendez-vous chez l'orthodontiste.")
        page.get_by_role("button", name="Envoyer la justification").click()
        page.wait_for_load_state()
        assert "Justification envoyée à la vie scolaire." in page.locator("main").inner_text()
        record_url = page.url
        context.close()

        # The CPE accepts it.
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        log_in(page, url, "cpe.moulin")
        page.goto(f"{url}/attendance/")
        page.get_by_role("link", name="Leroy", exact=False).first.click()
        page.wait_for_load_state()
        assert "orthodontiste" in page.locator("main").inner_text()
        page.get_by_label("Commentaire", exact=True).fill("Merci pour le justificatif.")
        page.get_by_role("button", name="Accepter").click()
        page.wait_for_load_state()
        assert "Justification acceptée." in page.locator("main").inner_text()
        context.close()

        # The record shows justified, for the family too.
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        log_in(page, url, "parent.karim")
        page.goto(record_url)
        assert page.locator("[data-status]").inner_text() == "Justifiée"
        assert "Merci pour le justificatif." in page.locator("main").inner_text()
        context.close()
