"""A live Préau with CAS services registered, for the tests against real clients and browsers.

The portal is installed as ``make run`` installs it (SQLite in a temporary folder, the demo
school) and served in its own process; services are registered with ``preau cas_service``, as a
deployment would. A locally generated certificate authority (trustme) signs the certificate of
the HTTPS proxy callbacks served in the tests; the portal trusts it through CAS_EXTRA_CA_FILE.

``CasProtectedApp`` is a tiny web application protected by CAS with the python-cas client, as
a school-life software would be: it sends visitors to /cas/login, validates the ticket, keeps
its own session, and ends it when Préau's single logout reaches it.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests

from preau.core.browsing import MANAGE, _free_port
from preau.demo.cast import DEMO_PASSWORD, MOULIN_UAI


def register(env: dict[str, str], *arguments: str) -> str:
    """``preau cas_service add …`` in the live portal; returns the new service's id."""
    done = subprocess.run(  # noqa: S603
        [*MANAGE, "cas_service", "add", "--establishment", MOULIN_UAI, *arguments],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2) -> Iterator[str]:
    """The prepared portal served as in production, by two worker processes: a ticket issued
    by one is validated by the other. Yields its address."""
    port = _free_port()
    bind = ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "preau.wsgi", *bind],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def logged_in_session(portal: str, username: str) -> requests.Session:
    """A browser-like session logged in to Préau through its login form."""
    session = requests.Session()
    page = session.get(f"{portal}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{portal}/accounts/login/",
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{portal}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def service_ticket(session: requests.Session, portal: str, service: str) -> str:
    response = session.get(
        f"{portal}/cas/login", params={"service": service}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 302, response.status_code
    return parse_qs(response.headers["Location"].split("?", 1)[1])["ticket"][0]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        return None


@contextmanager
def wsgi_server(app: Callable[..., Iterable[bytes]]) -> Iterator[str]:
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


class CasProtectedApp:
    """A WSGI application that lets in only people Préau's CAS server vouches for."""

    def __init__(self) -> None:
        self.portal = ""  # set once the portal is served
        self.url = ""  # set once this application is served
        self.sessions: dict[str, tuple[str, str]] = {}  # cookie → (username, ticket)

    def client(self) -> Any:
        import cas

        return cas.CASClient(version=3, service_url=self.url, server_url=f"{self.portal}/cas/")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ["REQUEST_METHOD"] == "POST":
            return self._logout_request(environ, start_response)
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        session = cookie.get("app_session")
        if session and session.value in self.sessions:
            username = self.sessions[session.value][0]
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            body = f"<!doctype html><title>Vie scolaire</title><h1>Bonjour {username}</h1>"
            return [body.encode()]
        ticket = parse_qs(environ.get("QUERY_STRING", "")).get("ticket", [""])[0]
        if ticket:
            username, _attributes, _iou = self.client().verify_ticket(ticket)
            if username:
                key = secrets.token_hex(16)
                self.sessions[key] = (username, ticket)
                start_response(
                    "302 Found",
                    [("Location", self.url), ("Set-Cookie", f"app_session={key}; Path=/")],
                )
                return [b""]
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"refused"]
        login = f"{self.portal}/cas/login?" + urlencode({"service": self.url})
        start_response("302 Found", [("Location", login)])
        return [b""]

    def _logout_request(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        import cas

        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode())
        request = form.get("logoutRequest", [""])[0]
        for ticket in cas.SingleLogoutMixin.get_saml_slos(request) or []:
            for key, (_username, issued) in list(self.sessions.items()):
                if issued == ticket.text:
                    del self.sessions[key]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def write_ca(tmp: Path) -> tuple[Any, Path]:
    """A local certificate authority; returns it and the file the portal trusts it from."""
    import trustme

    authority = trustme.CA()
    path = tmp / "test-ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return authority, path
