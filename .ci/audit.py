"""Audit the pinned dependencies against a vulnerability database with pip-audit.

A vulnerability source that cannot be reached must not pass for a clean audit: pip-audit's PyPI
service, when the per-version JSON API answers 404, skips every package and still prints "No known
vulnerabilities found". So a canary comes first, a pin known to be vulnerable (Django 4.2.0); a
source is trusted only if it reports it. Then the project's environment is audited against that
source and any finding fails.

No source works → the audit is reported as not done (exit 0), or fails with PREAU_REQUIRE_AUDIT=1.

    python .ci/audit.py [requirements.txt]     (default: the packages of this virtualenv)

Environment: AUDIT_SERVICES (default "pypi osv"), AUDIT_OSV_URL (an OSV-compatible API instead
of the public one), PREAU_REQUIRE_AUDIT.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CANARY = "django==4.2.0"
PIP_AUDIT = [sys.executable, "-m", "pip_audit"]
TIMEOUT = 300


def pip_audit(requirements: Path, service: str) -> tuple[int, dict | None, str]:
    command = [
        *PIP_AUDIT,
        "--requirement",
        str(requirements),
        "--no-deps",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--vulnerability-service",
        service,
        "--timeout",
        "20",
    ]
    if service == "osv" and os.environ.get("AUDIT_OSV_URL"):
        command += ["--osv-url", os.environ["AUDIT_OSV_URL"]]
    try:
        result = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return 1, None, f"no answer within {TIMEOUT} s"
    try:
        report = json.loads(result.stdout)
    except ValueError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return result.returncode, None, last
    return result.returncode, report, result.stderr


def findings(report: dict) -> list[str]:
    return [
        f"{dep['name']} {dep['version']}: {vuln['id']}"
        + (f" (fixed in {', '.join(vuln['fix_versions'])})" if vuln.get("fix_versions") else "")
        for dep in report.get("dependencies", [])
        for vuln in dep.get("vulns", [])
    ]


def working_service(work: Path) -> str | None:
    canary = work / "canary.txt"
    canary.write_text(CANARY + "\n")
    for service in os.environ.get("AUDIT_SERVICES", "pypi osv").split():
        _code, report, error = pip_audit(canary, service)
        if report is not None and findings(report):
            return service
        reason = error if report is None else "the known-vulnerable canary was not reported"
        skipped = [d.get("skip_reason") for d in (report or {}).get("dependencies", [])]
        if any(skipped):
            reason += f" ({skipped[0]})"
        print(f"audit: vulnerability service {service!r} unusable: {reason}")
    return None


def environment_requirements(work: Path) -> Path:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Only pinned registry packages: the project itself is installed editable.
    lines = [line for line in frozen.splitlines() if "==" in line]
    path = work / "environment.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="preau-audit-") as folder:
        work = Path(folder)
        service = working_service(work)
        if service is None:
            message = "audit: NOT DONE, no vulnerability service could be used from this machine."
            print(message)
            return 1 if os.environ.get("PREAU_REQUIRE_AUDIT") else 0
        requirements = Path(argv[0]) if argv else environment_requirements(work)
        code, report, error = pip_audit(requirements, service)
        if report is None:
            print(f"audit: {service!r} failed on the project's packages: {error}")
            return 1
        found = findings(report)
        skipped = [d for d in report.get("dependencies", []) if d.get("skip_reason")]
        audited = len(report.get("dependencies", [])) - len(skipped)
        for line in found:
            print(f"audit: VULNERABLE {line}")
        for dep in skipped:
            print(f"audit: not audited {dep['name']}: {dep['skip_reason']}")
        print(f"audit: {audited} packages audited with {service!r}, {len(found)} vulnerabilities.")
        return 1 if found or code != 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
