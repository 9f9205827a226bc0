"""The right to disconnect, in a real Chromium: a message written at 21:00 reaches its teacher
at 07:00. The server is started at 21:00, then again at 07:00 the next morning on the same
database, as if the night had passed."""

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from preau.core.browsing import log_in, prepare_portal, serving

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
SUBJECT = "Sortie de jeudi"


def next_tuesday_at(hour: int) -> datetime:
    """A school evening to come (the demo collège keeps weekends quiet all day)."""
    today = datetime.now(PARIS).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    return datetime.combine(tuesday, time(hour), tzinfo=PARIS)


def test_a_message_sent_at_nine_pm_reaches_the_teacher_at_seven(
    browser: Any, tmp_path: Any
) -> None:
    env = prepare_portal(tmp_path)
    evening = next_tuesday_at(21)

    with serving(env, clock=evening) as url:
        page = browser.new_context(locale="fr-FR").new_page()
        log_in(page, url, "parent.karim")
        page.goto(f"{url}/messages/new/")
        page.fill("input[name=q]", "Bernard")
        page.get_by_role("button", name="Chercher").click()
        page.get_by_label("Bernard Marc", exact=False).check()
        page.fill("input[name=subject]", SUBJECT)
        page.fill("textarea[name=body]", "Bonsoir, Noah aura-t-il besoin d'un pique-nique ?")
        page.get_by_role("button", name="Envoyer").click()
        page.wait_for_load_state()
        # The sender is told when the teacher will be reached.
        assert "à 07:00 (heures calmes)" in page.locator("main").inner_text()
        page.context.close()

        page = browser.new_context(locale="fr-FR").new_page()
        log_in(page, url, "prof.bernard")
        page.goto(f"{url}/notifications/")
        assert SUBJECT not in page.locator("main").inner_text()
        page.context.close()

    with serving(env, clock=evening + timedelta(hours=10, minutes=1)) as url:
        page = browser.new_context(locale="fr-FR").new_page()
        log_in(page, url, "prof.bernard")
        page.goto(f"{url}/notifications/")
        assert SUBJECT in page.locator("main").inner_text()
        page.context.close()
