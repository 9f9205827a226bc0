"""Levels typed with the keyboard, in a real Chromium: prof.bernard makes his skills-only
assessment of 4e B (from the demo) evaluate a component directly, types Léa's and the next
student's levels without the mouse (autosaved), and eleve.lea reads the level in her summary."""

from __future__ import annotations

import re
from typing import Any

import pytest

from preau.core.browsing import log_in, prepare_portal, serving

pytestmark = pytest.mark.browser

TITLE = "Compétences : calcul littéral"
COMPONENT = "Méthodes et outils pour apprendre"
SAVED = re.compile("^Enregistré$")


def test_levels_typed_with_the_keyboard_reach_lea(browser: Any, tmp_path: Any) -> None:
    env = prepare_portal(tmp_path)
    with serving(env) as url:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        log_in(page, url, "prof.bernard")
        page.goto(f"{url}/skills/")
        page.get_by_role("link", name=TITLE).click()
        page.wait_for_load_state()
        page.get_by_label("Compétence ou composante du socle").select_option(
            label=f"D2 · {COMPONENT}"
        )
        page.get_by_role("button", name="Ajouter").click()
        page.wait_for_load_state()
        assert "Compétence ajoutée au devoir." in page.locator("main").inner_text()
        page.get_by_role("link", name="Saisir les niveaux").click()
        page.wait_for_load_state()

        lea = page.get_by_label(f"Léa Martin, {COMPONENT}")
        lea.focus()
        page.keyboard.type("t")  # très bonne maîtrise
        page.keyboard.press("Enter")  # the next student
        page.keyboard.type("2")  # a digit moves on by itself
        status = page.locator(".skills-grid__status")
        status.filter(has_text=SAVED).wait_for()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowUp")
        page.keyboard.type("x")  # not a level: refused, nothing saved
        status.filter(has_text=re.compile("^Non enregistré")).wait_for()
        assert "n'est pas un niveau" in status.inner_text()
        page.keyboard.press("Backspace")
        page.keyboard.type("4")
        status.filter(has_text=SAVED).wait_for()
        page.reload()
        assert page.get_by_label(f"Léa Martin, {COMPONENT}").input_value() == "4"
        assert not violations, violations
        context.close()

        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
        page = context.new_page()
        log_in(page, url, "eleve.lea")
        page.goto(f"{url}/skills/")
        assert "Mes compétences" in page.locator("h1").inner_text()
        period = page.get_by_role("region", name="Bilan du").first
        row = period.get_by_role("row").filter(has_text=f"D2 {COMPONENT}")
        assert f"4 {COMPONENT} (Mathématiques, {TITLE})" in row.inner_text()
        context.close()
