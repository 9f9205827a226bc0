"""Key journeys of the portal itself in a real Chromium (fixtures in ``preau.core.browsing``)."""

from typing import Any

import pytest

from preau.core.browsing import AXE, log_in

pytestmark = pytest.mark.browser


CAST_HOMES = [
    ("admin", "Administrer les établissements"),
    ("rectorat.versailles", "Administrer les établissements"),
    ("principal.moulin", "Administrer l'établissement"),
    ("cpe.moulin", "Collège Jean Moulin"),
    ("prof.bernard", "3e A"),
    ("prof.garcia", "4e B"),
    ("eleve.lea", "4e B"),
    ("eleve.noah", "4e B"),
    ("eleve.jade", "3e A"),
    ("parent.sophie", "Léa"),
    ("parent.karim", "Noah"),
    ("principal.curie", "Lycée Marie Curie"),
    ("prof.dupont", "2nde 3"),
    ("eleve.hugo", "2nde 3"),
]


@pytest.mark.parametrize(("username", "expected"), CAST_HOMES)
def test_every_member_of_the_cast_logs_in(
    page: Any, portal_url: str, username: str, expected: str
) -> None:
    log_in(page, portal_url, username)
    assert page.url == f"{portal_url}/"
    assert page.locator("h1").inner_text().startswith("Bonjour")
    assert expected in page.locator("main").inner_text()


def test_wrong_password_is_refused_in_french(page: Any, portal_url: str) -> None:
    page.goto(f"{portal_url}/accounts/login/")
    page.fill("input[name=username]", "eleve.lea")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "/accounts/login/" in page.url
    assert "incorrect" in page.locator("main").inner_text()


def test_guardian_follows_both_children_and_logs_out(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "parent.sophie")
    page.get_by_role("navigation", name="Mes enfants").get_by_role("link", name="Hugo").click()
    page.wait_for_load_state()
    assert "Claire Dupont" in page.locator("main").inner_text()
    # The establishment switcher submits itself when a school is chosen.
    page.select_option("#switch-establishment", label="Lycée Marie Curie")
    page.wait_for_url(f"{portal_url}/")
    assert "Lycée Marie Curie" in page.locator("header").inner_text()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url


def test_teacher_opens_a_class_roster(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "prof.garcia")
    page.get_by_role("link", name="4e B").first.click()
    page.wait_for_load_state()
    roster = page.locator("main").inner_text()
    assert "Léa" in roster and "Noah" in roster


def accessibility_violations(page: Any) -> list[str]:
    """WCAG 2.1 A/AA violations on the current page, as "rule: target" lines."""
    page.evaluate(AXE.read_text())  # evaluated by the browser's debugger, not subject to CSP
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    return [
        f"{violation['id']}: {node['target']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("", "/accounts/login/"),
        ("parent.sophie", "/"),
        ("eleve.lea", "/"),
        ("prof.bernard", "/"),
        ("principal.moulin", "/"),
        ("prof.bernard", "/directory/classes/"),
        ("principal.moulin", "/accounts/profile/"),
    ],
)
def test_pages_meet_wcag_aa(page: Any, portal_url: str, username: str, path: str) -> None:
    if username:
        log_in(page, portal_url, username)
    page.goto(f"{portal_url}{path}")
    assert accessibility_violations(page) == []


def test_api_documentation_renders_under_the_csp(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "prof.bernard")
    page.goto(f"{portal_url}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15000)  # Swagger UI drew the operations
    assert page.locator(".opblock").count() >= 5


def test_a_guardian_writes_to_a_teacher_who_reads_it(browser: Any, portal_url: str) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, portal_url, "parent.karim")
    page.goto(f"{portal_url}/messages/new/")
    page.fill("input[name=q]", "Bernard")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_label("Bernard Marc", exact=False).check()
    page.fill("input[name=subject]", "Rendez-vous pour Noah")
    page.fill("textarea[name=body]", "Bonjour, pourrions-nous nous rencontrer jeudi ?")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state()
    assert "Rendez-vous pour Noah" in page.locator("main").inner_text()
    context.close()

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, portal_url, "prof.bernard")
    page.goto(f"{portal_url}/messages/")
    assert "Rendez-vous pour Noah" in page.locator("main").inner_text()
    context.close()


def test_a_student_cannot_write_to_another_student(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "eleve.noah")
    page.goto(f"{portal_url}/messages/new/")
    page.fill("input[name=q]", "Martin")
    page.get_by_role("button", name="Chercher").click()
    recipients = page.locator("fieldset").first.inner_text()
    assert "Léa" not in recipients


def test_the_head_suspends_student_messaging(browser: Any, portal_url: str) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, portal_url, "principal.moulin")
    page.goto(f"{portal_url}/manage/")
    page.locator("main").get_by_role("link", name="Collège Jean Moulin").first.click()
    page.locator("main").get_by_role("link", name="Règles de la messagerie").first.click()
    page.get_by_role("link", name="Suspensions et sessions").click()
    page.get_by_role("button", name="Suspendre la messagerie · Élèves").click()
    page.wait_for_load_state()
    assert "messagerie suspendue" in page.locator("main").inner_text()
    suspensions = page.url
    context.close()

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, portal_url, "eleve.lea")
    page.goto(f"{portal_url}/messages/new/")
    assert "suspendue" in page.locator("main").inner_text()
    context.close()

    # Lifted again, so that the other journeys find messaging open.
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, portal_url, "principal.moulin")
    page.goto(suspensions)
    page.get_by_role("button", name="Rétablir la messagerie · Élèves").click()
    page.wait_for_load_state()
    context.close()
