"""The drive under a large file: one upload then one download of BENCH_DRIVE_MB (default
1024) MiB through the benchmark's gunicorn, with the workers' peak resident memory (VmHWM)
read from /proc before and after. Flat memory means the file was streamed, never held whole.
"""

from __future__ import annotations

import http.client
import re
import secrets
import time
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
FILE_NAME = "bench-drive.txt"


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: the processes whose parent is the master."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        match = re.search(r"^PPid:\s+(\d+)", text, re.MULTILINE)
        if match and int(match.group(1)) == master_pid:
            pids.append(int(status.parent.name))
    return sorted(pids)


def memory_kib(pid: int, field: str) -> int:
    """VmHWM (peak resident set) or VmRSS of a process, in KiB; 0 once it has gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def peaks(master_pid: int) -> dict[int, int]:
    return {pid: memory_kib(pid, "VmHWM") for pid in worker_pids(master_pid)}


def _connection(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=600)


def _get(port: int, path: str, cookie: str) -> str:
    connection = _connection(port)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        return body
    finally:
        connection.close()


def upload(port: int, cookie: str, size: int) -> float:
    """Send one text file of ``size`` bytes through the drive's upload form, generated while
    it is sent; returns the seconds taken."""
    page = _get(port, "/drive/", cookie)
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*data-drive-upload', page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not action or not token:
        raise RuntimeError("The drive page carries no upload form.")
    boundary = secrets.token_hex(16)
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token.group(1)}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{FILE_NAME}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    line = b"Preau bench line, always the same.\n"
    chunk = (line * (MIB // len(line) + 1))[:MIB]
    connection = _connection(port)
    started = time.monotonic()
    try:
        connection.putrequest("POST", action.group(1))
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(len(head) + size + len(tail)))
        connection.putheader("Cookie", cookie)
        connection.endheaders()
        connection.send(head)
        sent = 0
        while sent < size:
            part = chunk[: min(MIB, size - sent)]
            connection.send(part)
            sent += len(part)
        connection.send(tail)
        response = connection.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"The upload answered {response.status}.")
    finally:
        connection.close()
    return time.monotonic() - started


def download(port: int, cookie: str) -> tuple[int, float]:
    """Fetch the uploaded file back, reading it by chunks; returns (bytes, seconds)."""
    page = _get(port, "/drive/", cookie)
    link = re.search(rf'<a href="(/drive/items/[0-9a-f-]+/)">{re.escape(FILE_NAME)}</a>', page)
    if not link:
        raise RuntimeError("The uploaded file is not listed.")
    connection = _connection(port)
    started = time.monotonic()
    received = 0
    try:
        connection.request("GET", f"{link.group(1)}download/", headers={"Cookie": cookie})
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"The download answered {response.status}.")
        while True:
            part = response.read(MIB)
            if not part:
                break
            received += len(part)
    finally:
        connection.close()
    return received, time.monotonic() - started


def measure(port: int, master_pid: int, cookie: str, megabytes: int) -> dict[str, Any]:
    size = megabytes * MIB
    before = peaks(master_pid)
    upload_seconds = upload(port, cookie, size)
    after_upload = peaks(master_pid)
    received, download_seconds = download(port, cookie)
    after = peaks(master_pid)
    if received != size:
        raise RuntimeError(f"Downloaded {received} bytes instead of {size}.")
    return {
        "megabytes": megabytes,
        "upload_seconds": upload_seconds,
        "download_seconds": download_seconds,
        "peak_before_kib": max(before.values(), default=0),
        "peak_after_upload_kib": max(after_upload.values(), default=0),
        "peak_after_kib": max(after.values(), default=0),
        "workers": len(after),
        # The worker that grew most, whichever served the requests.
        "largest_growth_kib": max(
            (after[pid] - before.get(pid, after[pid]) for pid in after), default=0
        ),
    }
