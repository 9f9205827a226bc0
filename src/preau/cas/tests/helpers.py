"""Services registered for the CAS tests, and a small HTTP server that records what it receives."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

from django.test import Client

from preau.cas.actions import do_register_service
from preau.cas.models import Attribute, CasService, MatchKind

CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}
SCHOOL_LIFE = "https://vie-scolaire.example/"
LIBRARY = "https://cdi.example/"


def school_life_service(cast: Any, **options: Any) -> CasService:
    """The collège's school-life software: every attribute, and it may act as a proxy."""
    values = {
        "name": "Vie scolaire",
        "match_kind": MatchKind.PREFIX,
        "pattern": SCHOOL_LIFE,
        "attributes": list(Attribute.values),
        "may_proxy": True,
        "establishment": cast.moulin,
    }
    values.update(options)
    return do_register_service(actor=None, **values)


def library_service(cast: Any) -> CasService:
    """An academy-wide service (Versailles), releasing the username only, no proxying."""
    return do_register_service(
        actor=None,
        name="CDI académique",
        match_kind=MatchKind.REGEX,
        pattern=r"^https://cdi\.example/[a-z]+/?$",
        attributes=[Attribute.USERNAME],
        may_proxy=False,
        academy=cast.moulin.academy,
    )


def ticket_for(client: Client, service_url: str) -> str:
    """Log in to ``service_url`` through /cas/login (the client is logged in to Préau)."""
    response = client.get("/cas/login", {"service": service_url})
    assert response.status_code == 302, response.status_code
    query = parse_qs(urlsplit(response["Location"]).query)
    return query["ticket"][0]


def parse(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own answer, in a test


def failure_code(response: Any) -> str | None:
    root = parse(response)
    failure = root.find("cas:authenticationFailure", CAS_NS)
    if failure is None:
        failure = root.find("cas:proxyFailure", CAS_NS)
    return None if failure is None else failure.get("code")


class Recorder(BaseHTTPRequestHandler):
    """Answers 200 to everything and keeps (method, path, body) in ``server.received``."""

    def _record(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.server.received.append((method, self.path, body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_GET(self) -> None:
        self._record("GET")

    def do_POST(self) -> None:
        self._record("POST")

    def log_message(self, *args: Any) -> None:
        return None


@contextmanager
def recording_server(ssl_context: Any = None) -> Iterator[tuple[str, list]]:
    """A local server (HTTPS with ``ssl_context``) recording requests; yields (url, received)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.received = []  # type: ignore[attr-defined]
    scheme = "http"
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host = "localhost" if ssl_context is not None else "127.0.0.1"
        yield f"{scheme}://{host}:{server.server_address[1]}/", server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
