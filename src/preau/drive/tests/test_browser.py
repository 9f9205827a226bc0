"""Journeys in a real Chromium: a class share reaches its students and no one else; a teacher
uploads with the progress bar and shares with her class; a pupil adds a file to her theatre
club's shared folder from the club's page, and a pupil who is not a member finds nothing."""

from typing import Any

import pytest

from preau.core.browsing import log_in
from preau.core.tests.test_browser import accessibility_violations

pytestmark = pytest.mark.browser


def _session(browser: Any, portal_url: str, username: str) -> tuple[Any, Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, portal_url, username)
    return context, page


def test_garcias_share_with_4e_b_reaches_noah_not_jade(browser: Any, portal_url: str) -> None:
    context, page = _session(browser, portal_url, "eleve.noah")
    page.goto(f"{portal_url}/drive/shared/")
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Lectures/", exact=True).click()
    page.wait_for_load_state()
    folder_url = page.url
    assert "Dossier de Inès Garcia" in page.locator("main").inner_text()
    page.get_by_role("link", name="Le Horla - questionnaire.pdf", exact=True).click()
    page.wait_for_load_state()
    file_url = page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger", exact=True).click()
    assert download.value.suggested_filename == "Le Horla - questionnaire.pdf"
    context.close()

    context, page = _session(browser, portal_url, "eleve.jade")
    page.goto(f"{portal_url}/drive/shared/")
    assert "Lectures" not in page.locator("main").inner_text()
    for url in (folder_url, file_url):
        response = page.goto(url)
        assert response.status == 404
    context.close()


def test_a_teacher_uploads_with_progress_and_shares_with_her_class(
    browser: Any, portal_url: str
) -> None:
    context, page = _session(browser, portal_url, "prof.garcia")
    page.goto(f"{portal_url}/drive/")
    assert accessibility_violations(page) == []
    page.set_input_files(
        "#drive-files",
        files=[
            {"name": "consignes.txt", "mimeType": "text/plain", "buffer": b"Rendre lundi."},
            {"name": "rappel.txt", "mimeType": "text/plain", "buffer": b"Cahier de brouillon."},
        ],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer").click()
    main = page.locator("main").inner_text()
    assert "2 fichiers ajoutés." in main
    assert "consignes.txt" in main and "rappel.txt" in main
    page.get_by_role("link", name="consignes.txt", exact=True).click()
    page.wait_for_load_state()
    assert "Rendre lundi." in page.locator("pre").inner_text()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Partager").click()
    page.wait_for_load_state()
    assert accessibility_violations(page) == []
    page.get_by_label("Partager avec").select_option(label="4e B")
    page.get_by_role("button", name="Partager").click()
    page.wait_for_load_state()
    assert "la classe 4e B" in page.locator("main").inner_text()
    context.close()

    context, page = _session(browser, portal_url, "eleve.noah")
    page.goto(f"{portal_url}/drive/shared/")
    assert "consignes.txt" in page.locator("main").inner_text()
    context.close()
    context, page = _session(browser, portal_url, "eleve.jade")
    page.goto(f"{portal_url}/drive/shared/")
    assert "consignes.txt" not in page.locator("main").inner_text()
    context.close()


@pytest.mark.parametrize(
    ("username", "path"),
    [("eleve.lea", "/drive/trash/"), ("principal.moulin", "/drive/"), ("eleve.lea", "/")],
)
def test_drive_pages_meet_wcag_aa(page: Any, portal_url: str, username: str, path: str) -> None:
    log_in(page, portal_url, username)
    page.goto(f"{portal_url}{path}")
    assert accessibility_violations(page) == []


def test_the_head_sets_the_quotas_in_the_console(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "principal.moulin")
    page.goto(f"{portal_url}/manage/")
    page.locator("main").get_by_role("link", name="Collège Jean Moulin").click()
    page.wait_for_load_state()
    page.locator("main").get_by_role("link", name="Espace de stockage").click()
    page.wait_for_load_state()
    assert accessibility_violations(page) == []
    page.get_by_label("Quota des élèves (Mo)").fill("750")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert "sont enregistrés" in page.locator("main").inner_text()
    assert page.get_by_label("Quota des élèves (Mo)").input_value() == "750"


def test_a_pdf_opens_in_the_browsers_viewer(page: Any, portal_url: str) -> None:
    """The page fixture fails on any Content-Security-Policy violation: the viewer runs."""
    log_in(page, portal_url, "eleve.noah")
    page.goto(f"{portal_url}/drive/shared/")
    page.get_by_role("link", name="Lectures/", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Le Horla - questionnaire.pdf", exact=True).click()
    page.wait_for_load_state()
    viewer = page.get_by_role("link", name="Ouvrir dans le navigateur")
    assert viewer.get_attribute("target") == "_blank"
    response = page.goto(f"{portal_url}{viewer.get_attribute('href')}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")


def test_lea_adds_a_file_to_the_clubs_shared_folder(browser: Any, portal_url: str) -> None:
    context, page = _session(browser, portal_url, "eleve.lea")
    page.goto(f"{portal_url}/drive/groups/")
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Club théâtre").click()
    page.wait_for_load_state()
    folder_url = page.url
    main = page.locator("main").inner_text()
    assert "Répartition des rôles.txt" in main and "Dossier partagé" in main
    assert accessibility_violations(page) == []
    page.set_input_files(
        "#drive-files",
        files=[{"name": "costumes.txt", "mimeType": "text/plain", "buffer": b"Capes et chapeaux."}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer").click()
    assert "costumes.txt" in page.locator("main").inner_text()
    page.get_by_role("link", name="Corbeille de l'espace").click()
    page.wait_for_load_state()
    assert accessibility_violations(page) == []
    context.close()

    context, page = _session(browser, portal_url, "eleve.jade")
    response = page.goto(folder_url)
    assert response.status == 404
    assert "costumes.txt" not in page.locator("body").inner_text()
    context.close()
