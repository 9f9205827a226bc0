"""A small HTTP load generator: processes of threads, each looping on one connection."""

from __future__ import annotations

import http.client
import multiprocessing
import socket
import struct
import threading
import time
from dataclasses import dataclass, field


class ShortLivedConnection(http.client.HTTPConnection):
    """Closes with a reset instead of lingering in TIME_WAIT.

    Sync workers close the connection after every response, so a ten-second run opens tens of
    thousands of connections; without this the client would run out of local ports.
    """

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass
class LoadResult:
    seconds: float
    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _thread_loop(
    host: str, port: int, path: str, headers: dict[str, str], deadline: float, out: list
) -> None:
    connection = ShortLivedConnection(host, port, timeout=30)
    ok = errors = 0
    latencies = []
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            continue
        latencies.append(time.perf_counter() - started)
        if response.status == 200:
            ok += 1
        else:
            errors += 1
    connection.close()
    out.append((ok, errors, latencies))


def _process(
    host: str, port: int, path: str, headers: dict, threads: int, deadline: float, queue
) -> None:
    out: list = []
    workers = [
        threading.Thread(target=_thread_loop, args=(host, port, path, headers, deadline, out))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(out)


def run_load(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    seconds: float,
    processes: int = 2,
    threads: int = 3,
) -> LoadResult:
    """GET ``path`` from ``processes x threads`` connections for ``seconds``; count 200s."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    started = time.monotonic()
    deadline = started + seconds
    children = [
        context.Process(
            target=_process, args=(host, port, path, headers or {}, threads, deadline, queue)
        )
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    outputs = [queue.get(timeout=seconds + 60) for _ in children]
    for child in children:
        child.join()
    result = LoadResult(seconds=time.monotonic() - started)
    for output in outputs:
        for ok, errors, latencies in output:
            result.ok += ok
            result.errors += errors
            result.latencies.extend(latencies)
    return result
