"""The endpoint as a real child process on a free loopback port, and a raw HTTP client that sends any bytes."""

from __future__ import annotations

import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.store.serialize import to_ntriples

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from clients import children  # noqa: E402  (shared with the endpoint benchmark)

LAUNCH = Path(__file__).with_name("launch.py")


@dataclass
class ServerProcess:
    """A running endpoint: its process and base URL."""

    process: subprocess.Popen
    url: str

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def workers(self) -> list[int]:
        """The pids of the endpoint's worker processes (its children)."""
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="session")
def graph_file(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "graph.nt"
    path.write_text(to_ntriples(built.graph), encoding="utf-8")
    return path


def start_server(graph_file: Path, *options: str, ready_s: float = 120) -> ServerProcess:
    """Start the endpoint as a child process and wait for its ``ready URL`` line."""
    process = subprocess.Popen([sys.executable, str(LAUNCH), str(graph_file), *options], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + ready_s
    while time.monotonic() < deadline:
        if selector.select(timeout=1):
            line = process.stdout.readline()
            if line.startswith("ready "):
                return ServerProcess(process, line.split()[1])
            if not line:
                break
    process.kill()
    raise RuntimeError(f"the endpoint did not start: {process.stderr.read()[-2000:]}")


@pytest.fixture(scope="module")
def server(graph_file: Path) -> Iterator[ServerProcess]:
    """One endpoint per module: 3 s deadline, 3 workers."""
    running = start_server(graph_file, "--timeout", "3", "--workers", "3")
    try:
        yield running
    finally:
        running.stop()


def raw_request(port: int, data: bytes, timeout: float = 20) -> tuple[int, bytes]:
    """Send ``data`` as it is (any header, any framing) and return the status and the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)  # with "Connection: close": the server closes when it has answered
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    if not answer.startswith(b"HTTP/1.1 "):
        return 0, answer
    return int(answer[9:12]), answer


@pytest.fixture(scope="session")
def send_raw():
    """:func:`raw_request`, for tests."""
    return raw_request


@pytest.fixture(scope="session")
def launch(graph_file: Path):
    """Start another endpoint with these options (the test stops it)."""
    return lambda *options: start_server(graph_file, *options)
