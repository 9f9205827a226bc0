"""The second factor: enrolment, the code after the password, recovery codes, the throttle, and
the rule that administrators pass it before any administration page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from preau.accounts import twofactor
from preau.accounts.models import RecoveryCode, TotpDevice
from preau.core.testing import TEST_TOTP_SECRET, log_in_with_second_factor
from preau.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:login_verify")
ENROL = reverse("accounts:totp_enrol")
CODE = reverse("accounts:second_factor")


def code_at(moment: Any, secret: str = TEST_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


def enrol(user: Any, secret: str = TEST_TOTP_SECRET) -> None:
    TotpDevice.objects.create(person=user, secret=secret, confirmed_at=timezone.now())
    user.has_totp = True
    user.save(update_fields=["has_totp"])


def password_step(client: Any, username: str, next_url: str = "") -> Any:
    data = {"username": username, "password": DEMO_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def console(cast: Any) -> str:
    return reverse("administration:establishment", args=[cast.moulin.public_id])


# -- enrolment --------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    page = client.get(ENROL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "qrline" in text  # drawn by the server
    device = TotpDevice.objects.get(person=cast.bernard)
    assert device.confirmed_at is None
    assert client.post(ENROL, {"code": "000000"}).status_code == 200
    cast.bernard.refresh_from_db()
    assert not cast.bernard.has_totp
    done = client.post(ENROL, {"code": code_at(timezone.now(), device.secret)})
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.content.decode())
    assert len(codes) == 10
    cast.bernard.refresh_from_db()
    assert cast.bernard.has_totp
    stored = set(
        RecoveryCode.objects.filter(person=cast.bernard).values_list("code_hash", flat=True)
    )
    assert len(stored) == 10 and not stored & set(codes)  # only keyed hashes are kept
    assert twofactor.is_verified(client.session)
    # Once enrolled, the page does not show the key again.
    assert client.get(ENROL).url == reverse("accounts:security")


# -- the login --------------------------------------------------------------------------------


def test_login_asks_for_the_code_after_the_password(cast: Any, client: Any) -> None:
    enrol(cast.bernard)
    response = password_step(client, "prof.bernard", "/messaging/")
    assert response.url.startswith(VERIFY)
    assert "_auth_user_id" not in client.session  # not logged in yet
    assert client.get(reverse("portal:home")).status_code == 302
    wrong = client.post(VERIFY, {"code": "123456", "next": "/messaging/"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(VERIFY, {"code": code_at(timezone.now()), "next": "/messaging/"})
    assert right.url == "/messaging/"
    assert client.session["_auth_user_id"] == str(cast.bernard.pk)
    assert twofactor.is_verified(client.session)


def test_a_code_is_not_accepted_twice_in_its_window(cast: Any, client: Any) -> None:
    enrol(cast.bernard)
    moment = timezone.now().replace(second=5, microsecond=0)
    with time_machine.travel(moment, tick=False):
        code = code_at(moment)
        password_step(client, "prof.bernard")
        assert client.post(VERIFY, {"code": code}).status_code == 302
        client.logout()
        password_step(client, "prof.bernard")
        again = client.post(VERIFY, {"code": code})
        assert again.status_code == 200 and "_auth_user_id" not in client.session
        # The next step's code (a phone a little ahead) is still fine.
        assert (
            client.post(VERIFY, {"code": code_at(moment + timedelta(seconds=30))}).status_code
            == 302
        )


def test_without_the_password_step_the_code_page_sends_back_to_login(client: Any) -> None:
    assert client.get(VERIFY).url == LOGIN


def test_the_pending_login_expires(cast: Any, client: Any) -> None:
    enrol(cast.bernard)
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        password_step(client, "prof.bernard")
    later = moment + timedelta(seconds=twofactor.PENDING_VALIDITY + 1)
    with time_machine.travel(later, tick=False):
        assert client.post(VERIFY, {"code": code_at(later)}).url == LOGIN
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_in_the_login_throttle(cast: Any, client: Any, settings: Any) -> None:
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    enrol(cast.bernard)
    password_step(client, "prof.bernard")
    for _ in range(3):
        client.post(VERIFY, {"code": "000000"})
    blocked = client.post(VERIFY, {"code": code_at(timezone.now())})
    assert "Trop de tentatives" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # The same counter as the password: the password is refused too now.
    client.get(LOGIN)
    refused = password_step(client, "prof.bernard")
    assert refused.status_code == 200 and "Trop de tentatives" in refused.content.decode()


def test_a_recovery_code_works_once(cast: Any, client: Any) -> None:
    client.force_login(cast.garcia)
    client.get(ENROL)
    secret = TotpDevice.objects.get(person=cast.garcia).secret
    page = client.post(ENROL, {"code": code_at(timezone.now(), secret)}).content.decode()
    recovery = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)[0]
    client.logout()
    password_step(client, "prof.garcia")
    assert client.post(VERIFY, {"code": recovery.lower()}).status_code == 302
    client.logout()
    password_step(client, "prof.garcia")
    assert client.post(VERIFY, {"code": recovery}).status_code == 200
    assert RecoveryCode.objects.filter(person=cast.garcia, used_at__isnull=True).count() == 9


# -- administration pages -----------------------------------------------------------------------


def test_an_administrator_without_an_authenticator_is_sent_to_enrolment(
    cast: Any, client: Any
) -> None:
    client.force_login(cast.principal_moulin)
    response = client.get(console(cast))
    assert response.url == f"{ENROL}?next={console(cast).replace('/', '%2F')}"
    client.get(ENROL)
    secret = TotpDevice.objects.get(person=cast.principal_moulin).secret
    client.post(ENROL, {"code": code_at(timezone.now(), secret), "next": console(cast)})
    assert client.get(console(cast)).status_code == 200


@pytest.mark.parametrize(
    ("name", "route"),
    [
        ("principal_moulin", "console"),
        ("principal_moulin", "drive"),
        ("rectorat_versailles", "academy"),
        ("admin", "django_admin"),
    ],
)
def test_an_enrolled_administrator_gives_the_code_before_administration_pages(
    cast: Any, client: Any, name: str, route: str
) -> None:
    person = getattr(cast, name)
    enrol(person)
    urls = {
        "console": console(cast),
        "drive": reverse("drive:settings", args=[cast.moulin.public_id]),
        "academy": reverse("administration:academy"),
        "django_admin": "/django-admin/",
    }
    target = urls[route]
    client.force_login(person)  # a session that passed the password only
    response = client.get(target)
    assert response.status_code == 302 and response.url.startswith(CODE)
    assert client.post(CODE, {"code": "000000", "next": target}).status_code == 200
    assert client.get(target).status_code == 302
    passed = client.post(CODE, {"code": code_at(timezone.now()), "next": target})
    assert passed.url == target
    assert client.get(target).status_code == 200


def test_people_without_an_administration_role_get_the_usual_answer(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    assert client.get(console(cast)).status_code == 404
    client.force_login(cast.cpe_moulin)
    assert client.get(reverse("administration:home")).status_code == 404


def test_the_test_helper_passes_the_second_factor(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    assert client.get(console(cast)).status_code == 200


def test_an_administrator_may_not_remove_the_authenticator(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(reverse("accounts:totp_remove"))
    assert TotpDevice.objects.filter(person=cast.principal_moulin).exists()


def test_others_remove_it_after_a_fresh_code(cast: Any, client: Any) -> None:
    enrol(cast.bernard)
    client.force_login(cast.bernard)
    assert client.post(reverse("accounts:totp_remove")).url.startswith(CODE)
    client.post(CODE, {"code": code_at(timezone.now())})
    client.post(reverse("accounts:totp_remove"))
    cast.bernard.refresh_from_db()
    assert not cast.bernard.has_totp
    assert not TotpDevice.objects.filter(person=cast.bernard).exists()
