"""In a real Chromium, on a phone-sized screen: on the morning of the demo's cancelled lesson,
eleve.noah sees today's lessons on his home page and in his timetable, the cancelled one marked.
The server's clock is set to 07:30 that day (the demo cancels 4e B's next maths lesson)."""

import sqlite3
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from preau.core.browsing import log_in, prepare_portal, serving
from preau.core.tests.test_browser import accessibility_violations

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")


def cancelled_day(data_dir: Path) -> date:
    with sqlite3.connect(data_dir / "db.sqlite3") as connection:
        (day,) = connection.execute(
            "SELECT date FROM timetable_lesson WHERE status = 'cancelled' ORDER BY start LIMIT 1"
        ).fetchone()
    return date.fromisoformat(day)


def test_noah_sees_todays_timetable_with_the_cancelled_lesson(browser: Any, tmp_path: Any) -> None:
    env = prepare_portal(tmp_path)
    morning = datetime.combine(cancelled_day(tmp_path), time(7, 30), tzinfo=PARIS)
    with serving(env, clock=morning) as url:
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
        page = context.new_page()
        log_in(page, url, "eleve.noah")
        panel = page.locator("#panel-timetable").locator("xpath=..")
        assert "Cours d'aujourd'hui" in panel.inner_text()
        assert "Annulé" in panel.inner_text()
        page.goto(f"{url}/timetable/?view=day")
        main = page.locator("main").inner_text()
        assert "Annulé" in main and "Mathématiques" in main
        assert page.locator("del", has_text="Mathématiques").count() == 1
        assert accessibility_violations(page) == []
        page.get_by_role("link", name="Semaine").click()
        page.wait_for_load_state()
        assert "Changement de salle" in page.locator("main").inner_text()
        assert accessibility_violations(page) == []
        context.close()
