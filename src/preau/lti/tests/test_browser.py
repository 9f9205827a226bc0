"""Journey in a real Chromium against a portal served as `make run` serves it: eleve.lea opens
« Calcul mental » from the médiacentre, answers the exercise in the demo tool (served by the
same portal, pylti1p3 on its side), and her score comes back to Préau as a mark; once prof.bernard
publishes the marks at once, Léa reads it on her marks page."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from preau.core.browsing import _free_port, log_in, prepare_portal, serving
from preau.lti.demo import PLACEMENT_TITLE
from preau.lti.demotool.exercises import MINUS, TIMES

pytestmark = pytest.mark.browser

QUESTION = re.compile(rf"^\s*(-?\d+)\s*([+{TIMES}{MINUS}])\s*\(?(-?\d+)\)?\s*=\s*$")


@pytest.fixture(scope="module")
def lti_portal(tmp_path_factory: Any) -> Iterator[tuple[str, Path]]:
    # The tool and Préau call each other at PORTAL_URL: the portal's address is known before
    # the demo registers the tool.
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("portal")
    env = prepare_portal(data_dir, port=port)
    with serving(env, port=port) as url:
        yield url, data_dir


@pytest.fixture(scope="module")
def portal_url(lti_portal: tuple[str, Path]) -> str:
    return lti_portal[0]


def answer_of(text: str) -> str:
    left, sign, right = QUESTION.match(text).groups()
    a, b = int(left), int(right)
    return str({"+": a + b, TIMES: a * b, MINUS: a - b}[sign])


def assessment_of(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        (public_id,) = db.execute(
            "SELECT a.public_id FROM grades_assessment a "
            "JOIN lti_ltiplacement p ON p.assessment_id = a.id WHERE p.title = ?",
            [PLACEMENT_TITLE],
        ).fetchone()
    return str(uuid.UUID(public_id))  # SQLite keeps UUIDs as bare hex


def test_lea_launches_calcul_mental_and_her_score_becomes_a_mark(
    page: Any, lti_portal: tuple[str, Path]
) -> None:
    from playwright.sync_api import expect

    url, data_dir = lti_portal
    log_in(page, url, "eleve.lea")
    page.goto(f"{url}/resources/")
    tool = page.get_by_role("article").filter(has_text=PLACEMENT_TITLE)
    assert "Outil pédagogique (LTI)" in tool.inner_text()
    with page.expect_popup() as opened:
        tool.get_by_role("link", name="Ouvrir").click()
    exercise = opened.value
    exercise.wait_for_load_state()
    expect(exercise.get_by_role("heading", level=1)).to_have_text("Bonjour Léa !")
    assert exercise.url == f"{url}/lti-demo/launch"
    fields = exercise.locator("form input[inputmode=numeric]")
    assert fields.count() == 5
    for number in range(5):
        label = exercise.locator(f"label[for=q{number}]").inner_text()
        exercise.get_by_label(label).fill(answer_of(label))
    exercise.get_by_role("button", name="Envoyer mes réponses").click()
    exercise.wait_for_load_state()
    expect(exercise.get_by_role("heading", level=1)).to_have_text("5 bonnes réponses sur 5")
    assert "devient une note" in exercise.get_by_role("status").inner_text()

    # The mark is kept, not yet published (the collège's rule: the next day at 18:00).
    grid = f"{url}/grades/assessments/{assessment_of(data_dir)}/"
    page.goto(f"{url}/grades/marks/")
    assert PLACEMENT_TITLE not in page.locator("main").inner_text()

    teacher = page.context.browser.new_context(locale="fr-FR")
    bernard = teacher.new_page()
    log_in(bernard, url, "prof.bernard")
    bernard.goto(grid)
    assert bernard.get_by_label("Note de Léa Martin").input_value() == "20"
    bernard.get_by_role("button", name="Publier maintenant").click()
    bernard.wait_for_load_state()
    teacher.close()

    page.goto(f"{url}/grades/marks/")
    row = page.locator("tr", has_text=PLACEMENT_TITLE)
    assert "20" in row.inner_text()
