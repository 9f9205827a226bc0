"""The CAS protocol through Django's test client: login, validation, refusals, proxy tickets,
attributes and single logout. Real clients are exercised in test_peers.py."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from preau.cas.actions import do_register_service, do_validate_ticket
from preau.cas.models import (
    CasService,
    MatchKind,
    ProxyGrantingTicket,
    ServiceTicket,
    validate_service_pattern,
)
from preau.cas.tests.helpers import (
    CAS_NS,
    SCHOOL_LIFE,
    failure_code,
    library_service,
    parse,
    recording_server,
    school_life_service,
    ticket_for,
)
from preau.cas.views import LOGIN_AT_KEY
from preau.core.testing import query_budget

pytestmark = pytest.mark.django_db

APP = SCHOOL_LIFE + "app/"
# The services' back ends validate without cookies: a client of their own.
BACK_END = Client()


def attributes(response: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    node = parse(response).find("cas:authenticationSuccess/cas:attributes", CAS_NS)
    for child in node:
        found.setdefault(child.tag.split("}")[1], []).append(child.text)
    return found


# -- login ---------------------------------------------------------------------------------------


def test_a_logged_in_student_gets_a_ticket_and_the_service_its_attributes(cast: Any, client):
    school_life_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP + "?page=notes")
    assert ticket.startswith("ST-") and len(ticket) >= 32
    # The service's own query string is kept, the ticket added.
    with query_budget(5):
        # The ticket with its service, person and establishment; consuming it; the profiles;
        # the class enrolled in and the classes taught.
        response = BACK_END.get(
            "/cas/p3/serviceValidate", {"ticket": ticket, "service": APP + "?page=notes"}
        )
    root = parse(response)
    assert root.find("cas:authenticationSuccess/cas:user", CAS_NS).text == "eleve.lea"
    released = attributes(response)
    assert released["ENTPersonProfils"] == ["National_ELV"]
    assert released["ENTPersonStructRattachUAI"] == [cast.moulin.uai]
    assert released["givenName"] == ["Léa"] and released["sn"] == ["Martin"]
    assert released["ENTPersonDateNaissance"] == ["14/03/2013"]
    assert released["ENTPersonClasses"] == ["4e B"]
    assert released["uid"] == ["eleve.lea"]
    assert released["isFromNewLogin"] == ["true"]  # force_login counts as typing the password


def test_a_ticket_costs_a_constant_number_of_queries(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    # The account, the service for the address, the school year (once a day per process), the
    # person's memberships, the new ticket, and the savepoint pair of the session's save (the
    # mark of the password typed at login is spent).
    with query_budget(7):
        response = client.get("/cas/login", {"service": APP})
    assert "ticket=ST-" in response["Location"]


def test_the_redirect_keeps_the_services_query(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    response = client.get("/cas/login", {"service": APP + "?page=notes&x=1"})
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["page"] == ["notes"] and query["x"] == ["1"] and query["ticket"]


def test_attributes_follow_the_release_policy(cast: Any, client) -> None:
    library_service(cast)
    client.force_login(cast.bernard)
    ticket = ticket_for(client, "https://cdi.example/catalogue")
    with query_budget(2):  # the ticket and its consumption: nothing else is released
        response = BACK_END.get(
            "/cas/serviceValidate",
            {"ticket": ticket, "service": "https://cdi.example/catalogue"},
        )
    released = attributes(response)
    assert released["uid"] == ["prof.bernard"]
    assert "givenName" not in released and "mail" not in released


def test_a_teacher_receives_the_classes_taught(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.bernard)
    ticket = ticket_for(client, APP)
    released = attributes(client.get("/cas/serviceValidate", {"ticket": ticket, "service": APP}))
    assert "4e B" in released["ENTPersonClasses"]
    assert released["ENTPersonProfils"] == ["National_ENS"]


def test_an_unregistered_service_gets_an_error_page_and_no_ticket(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    for url in ("https://evil.example/", "https://vie-scolaire.example.evil/", "ftp://x/"):
        response = client.get("/cas/login", {"service": url})
        assert response.status_code == 403
        assert "pas enregistré" in response.content.decode()
    assert not ServiceTicket.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(cast: Any, client) -> None:
    school_life_service(cast)
    response = client.get("/cas/login", {"service": APP})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/cas/login")


def test_gateway_returns_to_the_service_without_a_ticket(cast: Any, client) -> None:
    school_life_service(cast)
    response = client.get("/cas/login", {"service": APP, "gateway": "true"})
    assert response.status_code == 302 and response["Location"] == APP
    # Logged in: gateway gives a ticket as usual.
    client.force_login(cast.lea)
    response = client.get("/cas/login", {"service": APP, "gateway": "true"})
    assert "ticket=ST-" in response["Location"]


def test_a_person_of_another_establishment_is_refused(cast: Any, client) -> None:
    school_life_service(cast)
    library_service(cast)
    client.force_login(cast.hugo)  # Lycée Marie Curie, academy of Lyon
    for url in (APP, "https://cdi.example/catalogue"):
        response = client.get("/cas/login", {"service": url})
        assert response.status_code == 403
        assert "réservé aux membres" in response.content.decode()
    assert not ServiceTicket.objects.exists()


def test_an_academy_service_serves_every_establishment_of_the_academy(cast: Any, client) -> None:
    library_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, "https://cdi.example/catalogue")
    row = ServiceTicket.objects.get(ticket=ticket)
    assert row.establishment == cast.moulin


def test_renew_asks_for_the_password_again(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    client.session  # noqa: B018 - the session exists
    first = client.get("/cas/login", {"service": APP})
    assert "ticket=" in first["Location"]
    # Without typing the password again, renew leads to the login page.
    response = client.get("/cas/login", {"service": APP, "renew": "true"})
    assert response["Location"].startswith("/accounts/login/?next=")
    again = client.get("/cas/login", {"service": APP, "renew": "true"})
    assert again["Location"].startswith("/accounts/login/")
    # The login form, then back to /cas/login: now the ticket comes, from a new login.
    login = client.post(
        "/accounts/login/",
        {
            "username": "eleve.lea",
            "password": "Preau-Demo-2026",
            "next": parse_qs(urlsplit(response["Location"]).query)["next"][0],
        },
    )
    assert login.status_code == 302
    final = client.get(login["Location"])
    ticket = parse_qs(urlsplit(final["Location"]).query)["ticket"][0]
    response = client.get(
        "/cas/serviceValidate", {"ticket": ticket, "service": APP, "renew": "true"}
    )
    assert failure_code(response) is None


def test_validation_with_renew_refuses_a_ticket_from_the_single_sign_on(cast: Any, client):
    school_life_service(cast)
    client.force_login(cast.lea)
    session = client.session
    session.pop(LOGIN_AT_KEY)  # logged in earlier: no password typed for this ticket
    session.save()
    ticket = ticket_for(client, APP)
    response = client.get(
        "/cas/serviceValidate", {"ticket": ticket, "service": APP, "renew": "true"}
    )
    assert failure_code(response) == "INVALID_TICKET_SPEC"


# -- refusals at validation ----------------------------------------------------------------------


def test_a_replayed_ticket_is_refused(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP)
    assert (
        failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": APP})) is None
    )
    with query_budget(2):  # the ticket, then the refused attempt to consume it
        replay = BACK_END.get("/cas/serviceValidate", {"ticket": ticket, "service": APP})
    assert failure_code(replay) == "INVALID_TICKET"


def test_an_expired_ticket_is_refused_and_forgotten(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP)
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        response = client.get("/cas/serviceValidate", {"ticket": ticket, "service": APP})
    assert failure_code(response) == "INVALID_TICKET"
    assert "expired" in parse(response).find("cas:authenticationFailure", CAS_NS).text
    assert not ServiceTicket.objects.filter(ticket=ticket).exists()


def test_a_ticket_presented_by_another_service_is_refused_and_spent(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP)
    other = client.get("/cas/serviceValidate", {"ticket": ticket, "service": SCHOOL_LIFE + "b"})
    assert failure_code(other) == "INVALID_SERVICE"
    # The attempt spent it: the right service cannot use it afterwards.
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": ticket, "service": APP}))


def test_missing_parameters_and_unknown_tickets(client) -> None:
    assert failure_code(client.get("/cas/serviceValidate", {"ticket": "ST-x"})) == "INVALID_REQUEST"
    unknown = client.get("/cas/p3/serviceValidate", {"ticket": "ST-<x>&", "service": APP})
    assert failure_code(unknown) == "INVALID_TICKET"
    # The ticket is echoed in the message, escaped.
    assert b"ST-&lt;x&gt;&amp;" in unknown.content
    assert client.post("/cas/serviceValidate").status_code == 405


def test_protocol_1(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP)
    with query_budget(2):
        response = BACK_END.get("/cas/validate", {"ticket": ticket, "service": APP})
    assert response.content == b"yes\neleve.lea\n"
    replay = client.get("/cas/validate", {"ticket": ticket, "service": APP})
    assert replay.content == b"no\n\n"


def test_an_inactive_account_gets_no_validation(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP)
    type(cast.lea).objects.filter(pk=cast.lea.pk).update(is_active=False)
    response = client.get("/cas/serviceValidate", {"ticket": ticket, "service": APP})
    assert failure_code(response) == "INVALID_TICKET"


# -- proxies -------------------------------------------------------------------------------------


def test_a_proxy_callback_must_be_https(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP)
    response = client.get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": APP, "pgtUrl": "http://vie-scolaire.example/cb"},
    )
    assert failure_code(response) == "INVALID_PROXY_CALLBACK"


def test_a_service_not_allowed_to_proxy_gets_no_proxy_granting_ticket(cast: Any, client) -> None:
    school_life_service(cast, may_proxy=False)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP)
    response = client.get(
        "/cas/serviceValidate",
        {"ticket": ticket, "service": APP, "pgtUrl": "https://vie-scolaire.example/cb"},
    )
    assert failure_code(response) == "UNAUTHORIZED_SERVICE_PROXY"
    assert not ProxyGrantingTicket.objects.exists()


def test_an_unreachable_callback_leaves_a_validation_without_pgtiou(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    ticket = ticket_for(client, APP)
    with recording_server() as (url, _received):
        # A plain HTTP server behind an https:// address: the TLS handshake fails.
        https_url = url.replace("http://", "https://")
        response = client.get(
            "/cas/serviceValidate", {"ticket": ticket, "service": APP, "pgtUrl": https_url}
        )
    success = parse(response).find("cas:authenticationSuccess", CAS_NS)
    assert success is not None
    assert success.find("cas:proxyGrantingTicket", CAS_NS) is None
    assert not ProxyGrantingTicket.objects.exists()


def test_proxy_refusals(cast: Any, client) -> None:
    assert failure_code(client.get("/cas/proxy", {"pgt": "PGT-1"})) == "INVALID_REQUEST"
    response = client.get("/cas/proxy", {"pgt": "PGT-1", "targetService": APP})
    assert failure_code(response) == "INVALID_TICKET"


def test_a_proxy_ticket_is_refused_at_service_validate(cast: Any, client) -> None:
    service = school_life_service(cast)
    now = timezone.now()
    granting = ProxyGrantingTicket.objects.create(
        ticket_hash="0" * 64,
        service=service,
        user=cast.lea,
        establishment=cast.moulin,
        authenticated_at=now,
        created_at=now,
        expires_at=now + timedelta(hours=1),
        proxies=["https://proxy.example/cb"],
    )
    ServiceTicket.objects.create(
        ticket="PT-test",
        kind="PT",
        service=service,
        service_url=APP,
        user=cast.lea,
        establishment=cast.moulin,
        authenticated_at=now,
        created_at=now,
        expires_at=now + timedelta(seconds=10),
        granting_ticket=granting,
        proxies=granting.proxies,
    )
    response = client.get("/cas/serviceValidate", {"ticket": "PT-test", "service": APP})
    assert failure_code(response) == "INVALID_TICKET_SPEC"


# -- single logout -------------------------------------------------------------------------------


def test_logging_out_of_preau_logs_out_of_the_services(
    cast: Any, client, django_capture_on_commit_callbacks
) -> None:
    with recording_server() as (url, received):
        do_register_service(
            actor=None,
            name="Local",
            match_kind=MatchKind.PREFIX,
            pattern=url,
            attributes=[],
            may_proxy=False,
            establishment=cast.moulin,
        )
        client.force_login(cast.lea)
        ticket = ticket_for(client, url + "app")
        client.get("/cas/serviceValidate", {"ticket": ticket, "service": url + "app"})
        unvalidated = ticket_for(client, url + "other")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/logout/")
        assert response.status_code == 302
    # One LogoutRequest, for the ticket that was validated; the session's tickets are gone.
    assert len(received) == 1
    method, path, body = received[0]
    assert method == "POST" and path == "/app"
    request = parse_qs(body)["logoutRequest"][0]
    assert f"<samlp:SessionIndex>{ticket}</samlp:SessionIndex>" in request
    assert "eleve.lea" in request
    assert unvalidated not in request
    assert not ServiceTicket.objects.exists()


def test_a_service_that_is_down_does_not_keep_anyone_logged_in(
    cast: Any, client, caplog, django_capture_on_commit_callbacks
) -> None:
    school_life_service(cast, pattern="http://127.0.0.1:9/")
    client.force_login(cast.lea)
    ticket = ticket_for(client, "http://127.0.0.1:9/app")
    do_validate_ticket(ticket=ticket, service_url="http://127.0.0.1:9/app")
    with (
        caplog.at_level(logging.WARNING, logger="preau.cas.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.get("/cas/logout", {"service": "http://127.0.0.1:9/app"})
    assert response.status_code == 302 and response["Location"] == "http://127.0.0.1:9/app"
    assert "single logout to http://127.0.0.1:9/app failed" in caplog.text
    assert "_auth_user_id" not in client.session


def test_cas_logout_without_a_registered_service_shows_a_page(cast: Any, client) -> None:
    client.force_login(cast.lea)
    response = client.get("/cas/logout", {"service": "https://evil.example/"})
    assert response.status_code == 200
    assert "déconnecté" in response.content.decode()


# -- the registry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "pattern"),
    [
        ("prefix", "vie-scolaire.example/"),
        ("prefix", "https://vie-scolaire.example"),
        ("prefix", "javascript:alert(1)//x/"),
        ("regex", "https://vie-scolaire\\.example/.*"),
        ("regex", "^https://vie-scolaire\\.example/.*"),
        ("regex", "^.*$"),
        ("regex", "^https://(unclosed$"),
    ],
)
def test_bad_patterns_are_refused(kind: str, pattern: str) -> None:
    with pytest.raises(ValidationError):
        validate_service_pattern(kind, pattern)


def test_a_bad_registration_writes_nothing(cast: Any) -> None:
    with pytest.raises(ValidationError):
        school_life_service(cast, attributes=["password"])
    assert not CasService.objects.exists()


def test_the_longest_prefix_wins(cast: Any, client) -> None:
    school_life_service(cast)
    narrow = school_life_service(cast, name="Notes", pattern=SCHOOL_LIFE + "notes/")
    client.force_login(cast.lea)
    ticket = ticket_for(client, SCHOOL_LIFE + "notes/x")
    assert ServiceTicket.objects.get(ticket=ticket).service == narrow


def test_a_regex_matches_the_whole_address(cast: Any, client) -> None:
    library_service(cast)
    client.force_login(cast.lea)
    assert client.get("/cas/login", {"service": "https://cdi.example/a1"}).status_code == 403
    assert client.get("/cas/login", {"service": "https://cdi.example/abc"}).status_code == 302


def test_tickets_that_can_no_longer_be_used_are_purged(cast: Any, client) -> None:
    school_life_service(cast)
    client.force_login(cast.lea)
    validated = ticket_for(client, APP)
    do_validate_ticket(ticket=validated, service_url=APP)
    ticket_for(client, APP)  # never validated
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        out = StringIO()
        call_command("purge_cas_tickets", stdout=out)
    assert out.getvalue().startswith("1 CAS ticket")
    # The validated ticket stays for single logout, until the session's length has passed.
    assert list(ServiceTicket.objects.values_list("ticket", flat=True)) == [validated]
    with time_machine.travel(timezone.now() + timedelta(hours=13)):
        call_command("purge_cas_tickets", stdout=StringIO())
    assert not ServiceTicket.objects.exists()
