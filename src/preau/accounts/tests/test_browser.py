"""Account security in a real Chromium: the head logs in with the demo authenticator and reaches
the console; a teacher enrols an authenticator app from the QR code's key; both pages pass the
accessibility check."""

from typing import Any

import pyotp
import pytest

from preau.core.browsing import log_in, server_time
from preau.core.tests.test_browser import accessibility_violations

pytestmark = pytest.mark.browser


def test_the_head_gives_the_code_and_reaches_the_console(page: Any, portal_url: str) -> None:
    page.goto(f"{portal_url}/accounts/login/")
    page.fill("input[name=username]", "principal.moulin")
    page.fill("input[name=password]", "Preau-Demo-2026")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/code/" in page.url
    assert accessibility_violations(page) == []
    page.goto(f"{portal_url}/accounts/login/")
    log_in(page, portal_url, "principal.moulin")  # gives the demo authenticator's code
    page.goto(f"{portal_url}/manage/")
    assert page.url == f"{portal_url}/manage/"
    assert "Collège Jean Moulin" in page.locator("main").inner_text()
    page.goto(f"{portal_url}/accounts/security/")
    sessions = page.locator("main").inner_text()
    assert "Chrome" in sessions and "cette session" in sessions


def test_a_teacher_enrols_an_authenticator(page: Any, portal_url: str) -> None:
    log_in(page, portal_url, "prof.garcia")
    page.goto(f"{portal_url}/accounts/security/totp/")
    assert page.locator("figure.qr svg").count() == 1
    assert accessibility_violations(page) == []
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    code = pyotp.TOTP(secret).at(server_time(page, portal_url))
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="Activer").click()
    page.wait_for_load_state()
    assert page.locator("ul.recovery-codes li").count() == 10
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    assert "Activée" in page.locator("main").inner_text()


def test_the_head_registers_a_passkey_then_logs_in_with_it(browser: Any, portal_url: str) -> None:
    """With Chromium's virtual authenticator (DevTools protocol) as the device. Served as
    ``localhost``: WebAuthn refuses an IP address as the relying party."""
    url = portal_url.replace("127.0.0.1", "localhost")
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    authenticator = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    log_in(page, url, "principal.moulin")
    page.goto(f"{url}/accounts/security/")
    page.fill("#passkey-name", "Ordinateur du bureau")
    page.get_by_role("button", name="Ajouter une clé d'accès").click()
    page.wait_for_selector("text=La clé d'accès est enregistrée.")
    assert page.locator("input[name=name]").first.input_value() == "Ordinateur du bureau"
    stored = devtools.send("WebAuthn.getCredentials", authenticator)["credentials"]
    assert len(stored) == 1 and stored[0]["isResidentCredential"]

    # Logged out, then in again with the passkey alone: no username, no password, no code.
    context.clear_cookies()
    page.goto(f"{url}/accounts/login/?next=/manage/")
    page.get_by_role("button", name="Se connecter avec une clé d'accès").click()
    page.wait_for_url(f"{url}/manage/")
    assert "Collège Jean Moulin" in page.locator("main").inner_text()
    context.close()
