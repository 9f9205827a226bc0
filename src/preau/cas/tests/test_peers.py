"""The CAS server against real clients over HTTP: the python-cas library (protocol 2 and 3, a
proxy chain through HTTPS callbacks) and Perl's Authen::CAS::Client (Debian's
``libauthen-cas-client-perl``) for proxyValidate.

The chain: the school-life software (a proxy) validates its service ticket with a pgtUrl served
here over HTTPS (certificate from a local authority the portal trusts through
CAS_EXTRA_CA_FILE), receives a proxy-granting ticket, asks a proxy ticket for the homework
back end, which validates it at proxyValidate and is itself a proxy for the library.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from preau.cas.tests.helpers import recording_server
from preau.cas.tests.live import (
    gunicorn,
    logged_in_session,
    register,
    service_ticket,
    write_ca,
)
from preau.core.browsing import prepare_portal

pytestmark = pytest.mark.peer

SCHOOL_LIFE = "https://vie-scolaire.example/app"
HOMEWORK = "https://devoirs.example/api"
LIBRARY = "https://cdi.example/"
UNREGISTERED = "https://inconnu.example/"
PERL_CLIENT = Path(__file__).with_name("cas_client.pl")
TICKET_SECONDS = 5  # short, so that the expired ticket is seen without waiting long


def _require_perl_client() -> None:
    perl = shutil.which("perl")
    found = perl and (
        subprocess.run([perl, "-MAuthen::CAS::Client", "-e1"], capture_output=True).returncode == 0  # noqa: S603
    )
    if not found:
        reason = (
            "Authen::CAS::Client is not installed (apt-get install libauthen-cas-client-perl): "
            "Perl CAS peer tests skipped."
        )
        if os.environ.get("PREAU_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def callbacks(tmp_path_factory: Any) -> Iterator[tuple[str, list, Path]]:
    """An HTTPS proxy callback; yields its address, what it received and the CA file."""
    authority, ca_file = write_ca(tmp_path_factory.mktemp("ca"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("localhost").configure_cert(context)
    with recording_server(context) as (url, received):
        yield url + "pgtCallback", received, ca_file


@pytest.fixture(scope="module")
def portal(tmp_path_factory: Any, callbacks: Any) -> Iterator[str]:
    _url, _received, ca_file = callbacks
    env = prepare_portal(tmp_path_factory.mktemp("cas-portal"), students=10)
    env["CAS_EXTRA_CA_FILE"] = str(ca_file)
    env["CAS_SERVICE_TICKET_SECONDS"] = str(TICKET_SECONDS)
    all_attributes = ["--attribute", "uid", "--attribute", "ENTPersonProfils"]
    register(env, "--name", "Vie scolaire", "--prefix", SCHOOL_LIFE, "--proxy", *all_attributes)
    register(env, "--name", "Devoirs", "--prefix", HOMEWORK, "--proxy")
    register(env, "--name", "CDI", "--regex", r"^https://cdi\.example/.*$")
    with gunicorn(env) as url:
        yield url


def pgt_for(received: list, iou: str) -> str:
    """The PGT delivered to the callback with ``iou``."""
    for _method, path, _body in received:
        query = parse_qs(urlsplit(path).query)
        if query.get("pgtIou") == [iou]:
            return query["pgtId"][0]
    raise AssertionError(f"no callback for {iou}")


def cas_client(portal: str, service: str, version: int = 3, **options: Any) -> Any:
    import cas

    return cas.CASClient(
        version=version, service_url=service, server_url=f"{portal}/cas/", **options
    )


def perl(portal: str, *arguments: str) -> list[str]:
    _require_perl_client()
    done = subprocess.run(  # noqa: S603
        [shutil.which("perl") or "perl", str(PERL_CLIENT), f"{portal}/cas", *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.rstrip("\n").split("\t")


# -- python-cas ----------------------------------------------------------------------------------


def test_python_cas_version_2(portal: str) -> None:
    session = logged_in_session(portal, "eleve.lea")
    ticket = service_ticket(session, portal, SCHOOL_LIFE)
    user, attributes, iou = cas_client(portal, SCHOOL_LIFE, version=2).verify_ticket(ticket)
    assert user == "eleve.lea"
    assert attributes["ENTPersonProfils"] == "National_ELV"
    assert iou is None


def test_python_cas_version_3_with_a_proxy_chain(portal: str, callbacks: Any) -> None:
    callback, received, _ca = callbacks
    session = logged_in_session(portal, "eleve.lea")
    ticket = service_ticket(session, portal, SCHOOL_LIFE)
    # The school-life software validates and asks for a proxy-granting ticket.
    user, attributes, iou = cas_client(portal, SCHOOL_LIFE, proxy_callback=callback).verify_ticket(
        ticket
    )
    assert user == "eleve.lea" and attributes["uid"] == "eleve.lea"
    assert iou.startswith("PGTIOU-")
    pgt = pgt_for(received, iou)
    # It obtains a proxy ticket for the homework back end…
    homework = cas_client(portal, HOMEWORK, proxy_callback=callback + "/homework")
    proxy_ticket = homework.get_proxy_ticket(pgt)
    assert proxy_ticket.startswith("PT-")
    # …which validates it at proxyValidate, and is a proxy in its turn.
    homework.url_suffix = "p3/proxyValidate"
    user, _attributes, second_iou = homework.verify_ticket(proxy_ticket)
    assert user == "eleve.lea" and second_iou.startswith("PGTIOU-")
    library = cas_client(portal, LIBRARY + "catalogue")
    library_ticket = library.get_proxy_ticket(pgt_for(received, second_iou))
    # The library sees the whole chain, the most recent proxy first.
    library.url_suffix = "p3/proxyValidate"
    raw = library.get_verification_response(library_ticket)
    assert raw.index(b"/pgtCallback/homework</cas:proxy>") < raw.index(b"/pgtCallback</cas:proxy>")
    assert b"<cas:user>eleve.lea</cas:user>" in raw


def test_python_cas_refusals(portal: str) -> None:
    session = logged_in_session(portal, "eleve.noah")
    ticket = service_ticket(session, portal, SCHOOL_LIFE)
    client = cas_client(portal, SCHOOL_LIFE)
    assert client.verify_ticket(ticket)[0] == "eleve.noah"
    # Replayed.
    assert client.verify_ticket(ticket)[0] is None
    # Presented by another service.
    other = service_ticket(session, portal, SCHOOL_LIFE)
    assert cas_client(portal, HOMEWORK).verify_ticket(other)[0] is None
    # Expired.
    late = service_ticket(session, portal, SCHOOL_LIFE)
    time.sleep(TICKET_SECONDS + 0.5)
    assert client.verify_ticket(late)[0] is None
    # An unregistered service gets an error page, never a ticket.
    response = session.get(
        f"{portal}/cas/login", params={"service": UNREGISTERED}, allow_redirects=False
    )
    assert response.status_code == 403 and "ticket" not in response.headers.get("Location", "")
    # A forged proxy-granting ticket gets no proxy ticket. (python-cas reads the refusal's
    # code only from an authenticationFailure; the specification's proxyFailure is checked below.)
    import cas

    with pytest.raises(cas.CASError):
        cas_client(portal, HOMEWORK).get_proxy_ticket("PGT-forged")
    response = requests.get(
        f"{portal}/cas/proxy", params={"pgt": "PGT-forged", "targetService": HOMEWORK}, timeout=10
    )
    assert b'<cas:proxyFailure code="INVALID_TICKET">' in response.content


def test_a_person_of_another_school_is_refused(portal: str) -> None:
    session = logged_in_session(portal, "eleve.hugo")
    response = session.get(
        f"{portal}/cas/login", params={"service": SCHOOL_LIFE}, allow_redirects=False
    )
    assert response.status_code == 403


# -- Perl's Authen::CAS::Client ------------------------------------------------------------------


def test_perl_client_validates_proxy_tickets(portal: str, callbacks: Any) -> None:
    _require_perl_client()
    callback, received, _ca = callbacks
    session = logged_in_session(portal, "prof.bernard")
    ticket = service_ticket(session, portal, SCHOOL_LIFE)
    # The Perl client validates the service ticket at proxyValidate with a callback…
    answer = perl(portal, "proxy_validate", SCHOOL_LIFE, ticket, callback)
    assert answer[:2] == ["success", "prof.bernard"] and answer[3].startswith("PGTIOU-")
    pgt = pgt_for(received, answer[3])
    # …obtains a proxy ticket for the homework back end…
    kind, proxy_ticket = perl(portal, "proxy", pgt, HOMEWORK)
    assert kind == "ticket" and proxy_ticket.startswith("PT-")
    # …which the Perl client validates, seeing the proxy.
    answer = perl(portal, "proxy_validate", HOMEWORK, proxy_ticket)
    assert answer[:3] == ["success", "prof.bernard", callback]
    # Replayed, or presented by another service: refused in the protocol's format.
    assert perl(portal, "proxy_validate", HOMEWORK, proxy_ticket) == ["failure", "INVALID_TICKET"]
    other = service_ticket(session, portal, SCHOOL_LIFE)
    assert perl(portal, "proxy_validate", HOMEWORK, other) == ["failure", "INVALID_SERVICE"]
    # A proxy ticket for a service outside the registry.
    assert perl(portal, "proxy", pgt, UNREGISTERED) == ["failure", "UNAUTHORIZED_SERVICE"]


def test_perl_client_sees_refusals_at_service_validate(portal: str) -> None:
    _require_perl_client()
    assert perl(portal, "service_validate", SCHOOL_LIFE, "ST-forged") == [
        "failure",
        "INVALID_TICKET",
    ]
    response = requests.get(f"{portal}/cas/serviceValidate", timeout=10)
    assert b'code="INVALID_REQUEST"' in response.content
