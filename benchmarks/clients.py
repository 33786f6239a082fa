"""Concurrent keep-alive HTTP clients and process CPU accounting: the endpoint benchmark and the load test share them.

:func:`drive` runs one thread per client, each on its own keep-alive connection,
sending its list of requests in order; a request that fails (a reset, a timeout, a
bad answer) is recorded, never retried, and the client reconnects for the next one.
A client still running at the deadline is reported as hung, so a test fails rather
than waits. :func:`cpu_seconds` reads how much CPU a process and its children (an
endpoint's query workers) have used, from Linux ``/proc``.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

Request = tuple[str, str, Optional[bytes], dict[str, str]]
"""Method, path (with query string), body or None, headers."""
Check = Callable[[Request, int, bytes], Optional[str]]
"""What is wrong with an answer (request, status, body), or None when it is right."""


@dataclass
class Run:
    """What the clients saw: answered latencies (seconds), failures, and the wall time of the whole run."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    wall_s: float = 0.0


def drive(port: int, plans: Sequence[Sequence[Request]], check: Check, timeout_s: float = 120,
          deadline_s: float = 600) -> Run:
    """Send each plan from its own client, all at once, to ``127.0.0.1:port``; :class:`Run` says how it went."""
    run = Run()
    lock = threading.Lock()

    def client(plan: Sequence[Request]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
        mine: list[float] = []
        try:
            for request in plan:
                method, path, body, headers = request
                started = time.perf_counter()
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        run.failures.append(f"{method} {path[:80]}: {type(exc).__name__}: {exc}")
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
                    continue
                mine.append(time.perf_counter() - started)
                problem = check(request, response.status, payload)
                if problem is not None:
                    with lock:
                        run.failures.append(f"{method} {path[:80]}: {problem}")
        finally:
            connection.close()
            with lock:
                run.latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(plan,), daemon=True) for plan in plans]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline_s
    for thread in threads:
        thread.join(timeout=max(end - time.monotonic(), 0))
    run.wall_s = time.perf_counter() - started
    hung = sum(thread.is_alive() for thread in threads)
    if hung:
        run.failures.append(f"{hung} client(s) still waiting after {deadline_s:g} s")
    return run


def children(pid: int) -> list[int]:
    """Child pids of ``pid`` that are not zombies (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and its live children (Linux /proc)."""
    total = 0.0
    for each in (pid, *children(pid)):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total
