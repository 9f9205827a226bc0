"""HTTP Basic credentials of the WebDAV and CalDAV clients."""

import base64
from typing import Any

import pytest
from django.test import override_settings

from preau.accounts.basic import authenticate_basic, parse_basic
from preau.api.actions import do_create_token
from preau.api.models import Scope
from preau.audit.models import LoginEvent
from preau.core.actor import Actor
from preau.demo.cast import DEMO_PASSWORD

ADDRESS = "203.0.113.9"


def header(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def basic(username: str, password: str, scope: str = Scope.DAV_FILES) -> Any:
    return authenticate_basic(
        authorization=header(username, password), address=ADDRESS, scope=scope
    )


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "Bearer abc",
        "Basic",
        "Basic !!!",
        "Basic " + base64.b64encode(b"nocolon").decode(),
    ],
)
def test_malformed_headers_name_nobody(value: Any) -> None:
    assert parse_basic(value) is None


def test_the_account_password_is_checked_once_then_remembered(cast: Any) -> None:
    assert basic("prof.bernard", DEMO_PASSWORD) == cast.bernard
    assert basic("prof.bernard", DEMO_PASSWORD) == cast.bernard
    # Only the first request cost a password check and a login record.
    assert LoginEvent.objects.filter(person=cast.bernard, succeeded=True).count() == 1


def test_a_password_change_ends_the_remembered_check(cast: Any) -> None:
    assert basic("prof.bernard", DEMO_PASSWORD) == cast.bernard
    cast.bernard.set_password("Autre-mot-de-passe-42")
    cast.bernard.save()
    assert basic("prof.bernard", DEMO_PASSWORD) is None


def test_a_wrong_password_counts_in_the_login_throttle(cast: Any) -> None:
    with override_settings(LOGIN_FAILURES_PER_ACCOUNT=2):
        assert basic("prof.bernard", "faux") is None
        assert basic("prof.bernard", "faux") is None
        # Blocked: even the right password is refused now.
        assert basic("prof.bernard", DEMO_PASSWORD) is None
    assert LoginEvent.objects.filter(person=cast.bernard, succeeded=False).count() == 3


def test_a_token_works_for_its_scope_and_its_owner_only(cast: Any) -> None:
    _, secret = do_create_token(
        actor=Actor(cast.bernard, {}), name="Téléphone", scopes=[Scope.DAV_CALENDARS]
    )
    assert basic("prof.bernard", secret, Scope.DAV_CALENDARS) == cast.bernard
    assert basic("PROF.BERNARD", secret, Scope.DAV_CALENDARS) == cast.bernard
    assert basic("prof.bernard", secret, Scope.DAV_FILES) is None
    assert basic("prof.garcia", secret, Scope.DAV_CALENDARS) is None


def test_an_inactive_account_is_refused(cast: Any) -> None:
    assert basic("prof.bernard", DEMO_PASSWORD) == cast.bernard
    cast.bernard.is_active = False
    cast.bernard.save()
    assert basic("prof.bernard", DEMO_PASSWORD) is None
