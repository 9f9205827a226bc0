"""WebDAV against real peers: litmus, the WebDAV conformance suite (Debian's ``litmus``), a
Python WebDAV client (webdav4), and two web nodes sharing one database.

The portal is installed as ``make run`` installs it (the demo school) and served by gunicorn
with two worker processes, so consecutive requests of one client land on different processes
(locks and dead properties must be found by each), and by Django's development server (what
``preau serve`` runs with DEBUG, and the browser journeys' server). The drive takes files of
any type on these servers (see any_type.py): litmus names its files without extensions.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from preau.core.browsing import _free_port, prepare_portal
from preau.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.peer

LITMUS = shutil.which("litmus")
SUITES = ["basic", "copymove", "props", "locks", "http"]
USER = "prof.bernard"  # a teacher of the collège: a personal space with room to write
FOLDER = "/dav/" + quote("Collège Jean Moulin") + "/" + quote("Mes fichiers") + "/"
SUMMARY = re.compile(r"<- summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed")


def _require_litmus() -> None:
    if LITMUS is None:
        reason = "litmus is not installed (apt-get install litmus): WebDAV peer tests skipped."
        if os.environ.get("PREAU_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2) -> Iterator[str]:
    """A web node serving the prepared portal, as in production; yields its address."""
    with serving(env, "gunicorn", "preau.wsgi", "--workers", str(workers)) as url:
        yield url


@contextmanager
def serving(env: dict[str, str], *command: str) -> Iterator[str]:
    """``command`` (gunicorn or a ``preau`` command) serving the prepared portal."""
    port = _free_port()
    bind = f"127.0.0.1:{port}"
    address = ["--bind", bind] if command[0] == "gunicorn" else [bind]
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "preau.dav.tests.any_type", *command, *address],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: Any) -> dict[str, str]:
    _require_litmus()
    return prepare_portal(tmp_path_factory.mktemp("dav"), students=10)


SERVERS = {
    # Production: gunicorn with two workers, consecutive requests on different processes.
    "gunicorn": ("gunicorn", "preau.wsgi", "--workers", "2"),
    # `preau serve` in development, and the browser journeys' server.
    "runserver": ("runserver", "--noreload"),
}


@pytest.mark.parametrize("server", SERVERS)
def test_litmus_passes_every_suite(portal: dict[str, str], tmp_path: Path, server: str) -> None:
    with serving(portal, *SERVERS[server]) as url:
        run = subprocess.run(  # noqa: S603
            [LITMUS, url + FOLDER, USER, DEMO_PASSWORD],
            env={**os.environ, "TESTS": " ".join(SUITES)},
            cwd=tmp_path,  # litmus writes its debug.log there
            capture_output=True,
            text=True,
            timeout=600,
        )
    report = run.stdout + run.stderr
    summaries = {m[0]: (int(m[1]), int(m[2]), int(m[3])) for m in SUMMARY.findall(report)}
    assert sorted(summaries) == sorted(SUITES), report
    for suite, (ran, passed, failed) in summaries.items():
        assert failed == 0 and passed == ran, f"{suite}: {failed} failed\n{report}"
    assert "WARNING" not in report, report
    assert run.returncode == 0, report


def test_a_python_webdav_client_files_and_finds_its_documents(portal: dict[str, str]) -> None:
    """webdav4 (httpx underneath) as a sync tool uses the drive: folders, accents, moves."""
    import io

    from webdav4.client import Client

    with gunicorn(portal) as url:
        client = Client(url + FOLDER, auth=(USER, DEMO_PASSWORD))
        client.mkdir("Séquences")
        client.upload_fileobj(io.BytesIO(b"Le Horla\n"), "Séquences/lecture été.txt")
        assert [e["name"] for e in client.ls("Séquences", detail=True)] == [
            "Séquences/lecture été.txt"
        ]
        client.move("Séquences/lecture été.txt", "Séquences/lecture.txt")
        content = io.BytesIO()
        client.download_fileobj("Séquences/lecture.txt", content)
        assert content.getvalue() == b"Le Horla\n"
        client.remove("Séquences")
        assert not client.exists("Séquences")


def _request(url: str, method: str, body: bytes = b"", **headers: str) -> Any:
    credentials = base64.b64encode(f"{USER}:{DEMO_PASSWORD}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310
        url, data=body or None, method=method, headers={"Authorization": f"Basic {credentials}"}
    )
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


LOCK = (
    b'<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:">'
    b"<D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>"
    b"<D:owner>poste 1</D:owner></D:lockinfo>"
)
PROPPATCH = (
    b'<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" '
    b'xmlns:P="urn:example:preau"><D:set><D:prop><P:couleur>bleu</P:couleur></D:prop></D:set>'
    b"</D:propertyupdate>"
)


def test_a_lock_and_a_property_set_on_one_node_hold_on_another(portal: dict[str, str]) -> None:
    with gunicorn(portal, workers=1) as first, gunicorn(portal, workers=1) as second:
        path = FOLDER + "deux-noeuds.txt"
        assert _request(first + path, "PUT", b"v1\n")[0] == 201
        status, headers, _ = _request(first + path, "LOCK", LOCK, Timeout="Second-600")
        assert status == 200
        token = headers["Lock-Token"]
        # The other node refuses a write without the lock token, and takes it with it.
        assert _request(second + path, "PUT", b"v2\n")[0] == 423
        assert _request(second + path, "PUT", b"v2\n", If=f"({token})")[0] == 204
        assert _request(second + path, "PROPPATCH", PROPPATCH, If=f"({token})")[0] == 207
        status, _, body = _request(first + path, "PROPFIND", Depth="0")
        assert status == 207
        assert b"bleu" in body
        assert _request(first + path, "UNLOCK", Lock_Token=token)[0] == 204
        assert _request(second + path, "DELETE")[0] == 204


def test_a_chunked_upload_as_finder_sends_it_is_saved_whole(portal: dict[str, str]) -> None:
    import http.client

    with gunicorn(portal, workers=1) as url:
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        credentials = base64.b64encode(f"{USER}:{DEMO_PASSWORD}".encode()).decode()
        chunks = [b"Premier morceau\n", b"Second morceau\n"]
        connection.request(
            "PUT",
            FOLDER + "morceaux.txt",
            body=iter(chunks),
            headers={"Authorization": f"Basic {credentials}", "Transfer-Encoding": "chunked"},
            encode_chunked=True,
        )
        assert connection.getresponse().status == 201
        connection.close()
        status, _, content = _request(url + FOLDER + "morceaux.txt", "GET")
        assert status == 200
        assert content == b"".join(chunks)
