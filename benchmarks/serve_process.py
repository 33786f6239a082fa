"""The one way benchmark scripts start `vexas-kg serve`: a child process on a free loopback port.

``endpoint.py`` serves the packaged evidence to measure throughput; ``scale.py`` serves a
synthetic evidence folder, with the per-query cap as the request deadline, to time the named
queries through the endpoint. Both wait for the CLI's ``SPARQL endpoint: URL`` line, which it
prints once the graph is built and loaded, and stop the server the same way.
"""

from __future__ import annotations

import re
import selectors
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

READY = re.compile(r"SPARQL endpoint: http://127\.0\.0\.1:(\d+)/query")


class ServeDidNotStart(RuntimeError):
    """`vexas-kg serve` exited or printed no address in time (the message ends with its stderr)."""


def start_serve(workers: int, *, evidence: Path | None = None, timeout_s: float | None = None,
                ready_s: float = 300) -> tuple[subprocess.Popen, int]:
    """`vexas-kg serve --port 0 --workers N` as a child process, and the port it listens on.

    ``evidence`` serves that folder (``--evidence``) instead of the packaged one; ``timeout_s`` is each
    request's deadline (``--timeout``, whole seconds); ``ready_s`` is how long building and loading
    the graph may take before the server counts as not started (a large folder needs more).
    """
    command = [sys.executable, "-m", "vexas_kg.cli", "serve", "--port", "0", "--workers", str(workers)]
    if evidence is not None:
        command += ["--evidence", str(evidence)]
    if timeout_s is not None:
        command += ["--timeout", str(int(timeout_s))]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + ready_s
    while time.monotonic() < deadline and selector.select(timeout=deadline - time.monotonic()):
        line = process.stdout.readline()
        found = READY.match(line)
        if found:
            return process, int(found.group(1))
        if not line:
            break
    process.kill()
    process.wait()
    raise ServeDidNotStart(f"vexas-kg serve did not start: {process.stderr.read()[-1000:]}")


def stop_serve(process: subprocess.Popen) -> None:
    """Interrupt the server as Ctrl-C does; kill it if it has not exited 30 s later."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serving(workers: int, **options: Any) -> Iterator[tuple[subprocess.Popen, int]]:
    """``start_serve`` (same options) for a block, stopped after it however it ends."""
    process, port = start_serve(workers, **options)
    try:
        yield process, port
    finally:
        stop_serve(process)
