"""The dependency audit of CI (.ci/audit.py), run with the real pip-audit against an
OSV-compatible advisory service on this machine that knows two advisories."""

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

AUDIT = Path(__file__).resolve().parents[4] / ".ci" / "audit.py"
ADVISORIES = {
    ("django", "4.2.0"): "PYSEC-2023-0001",  # the canary
    ("nh3", "0.0.1"): "PYSEC-2023-0002",
}


class Advisories(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name, version = query["package"]["name"], query["version"]
        vulns = []
        if (name, version) in ADVISORIES:
            vulns.append(
                {
                    "id": ADVISORIES[name, version],
                    "summary": "a known vulnerability",
                    "affected": [
                        {
                            "package": {"name": name, "ecosystem": "PyPI"},
                            "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "99.0"}]}],
                        }
                    ],
                }
            )
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def advisories() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Advisories)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()


def audit(tmp_path: Path, pins: str, osv_url: str, **env: str) -> subprocess.CompletedProcess:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(pins)
    environment = {"AUDIT_SERVICES": "osv", "AUDIT_OSV_URL": osv_url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(  # noqa: S603
        [sys.executable, str(AUDIT), str(requirements)],
        env=environment | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_vulnerable_pin_fails_the_audit(tmp_path: Path, advisories: str) -> None:
    result = audit(tmp_path, "Django==5.2.19\nnh3==0.0.1\n", advisories)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "audit: VULNERABLE nh3 0.0.1: PYSEC-2023-0002 (fixed in 99.0)" in result.stdout
    assert "2 packages audited with 'osv', 1 vulnerabilities." in result.stdout


def test_pins_without_advisories_pass(tmp_path: Path, advisories: str) -> None:
    result = audit(tmp_path, "Django==5.2.19\nnh3==0.3.8\n", advisories)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 packages audited with 'osv', 0 vulnerabilities." in result.stdout


def test_an_unreachable_service_is_not_a_clean_audit(tmp_path: Path) -> None:
    closed = "http://127.0.0.1:9/v1/query"  # the discard port: nothing listens there
    result = audit(tmp_path, "nh3==0.0.1\n", closed)
    assert result.returncode == 0
    assert "audit: NOT DONE" in result.stdout
    assert "vulnerabilities." not in result.stdout
    required = audit(tmp_path, "nh3==0.0.1\n", closed, PREAU_REQUIRE_AUDIT="1")
    assert required.returncode == 1
    assert "audit: NOT DONE" in required.stdout
