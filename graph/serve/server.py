"""Run the Oxigraph server (from the PyPI ``oxigraph`` package) over the build.

``vexas-kg serve`` is Oxigraph's own read-only SPARQL 1.1 endpoint and query page,
with a query timeout, bound to a private loopback port, behind a small guard on the
public port. The guard exists because Oxigraph evaluates ``SERVICE`` by calling the
named endpoint, with no switch to turn that off; the guard refuses any request that
uses ``SERVICE`` or ``LOAD`` (or any update) before Oxigraph sees it, so a query
sent to vexas-kg never reaches the network. Everything else is passed through
unchanged, so curl, SPARQLWrapper and the query page talk to Oxigraph itself.

Tests and ``push`` use :class:`OxigraphServer` directly (read-write, in memory).
"""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from rdflib import Graph

from vexas_kg.errors import EndpointError
from vexas_kg.graph.store.serialize import to_ntriples
from vexas_kg.graph.query.sparql_text import keywords

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30
READY_TIMEOUT_S = 30.0
FORBIDDEN_KEYWORDS = frozenset({"SERVICE", "LOAD"})
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                         "transfer-encoding", "upgrade", "content-length", "host"})


def oxigraph_binary() -> Path:
    """The ``oxigraph`` executable installed beside this Python (the venv's scripts folder)."""
    name = "oxigraph.exe" if sys.platform == "win32" else "oxigraph"
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.is_file():
        raise EndpointError(f"the Oxigraph server is not installed ({path} is missing); "
                            "install it with: pip install 'vexas-kg[server]'")
    return path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def load_database(location: Path, graph: Graph, graph_name: str | None = None) -> None:
    """Create (or add to) an Oxigraph database folder holding ``graph``, with Oxigraph's own loader."""
    location.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vexas-kg-load-") as tmp:
        data = Path(tmp) / "graph.nt"
        data.write_text(to_ntriples(graph), encoding="utf-8")
        command = [str(oxigraph_binary()), "load", "--location", str(location), "--file", str(data)]
        if graph_name is not None:
            command += ["--graph", graph_name]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise EndpointError(f"oxigraph load failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")


class _Address:
    """The URLs of a SPARQL 1.1 server listening on ``host:port``."""

    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"


@dataclass
class OxigraphServer(_Address):
    """One ``oxigraph serve`` / ``serve-read-only`` process on a loopback port.

    ``location`` None means an in-memory store (read-write only). Start it with
    :meth:`start` (or as a context manager); :meth:`stop` ends it and waits.
    """

    location: Path | None = None
    read_only: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    timeout_s: int = DEFAULT_TIMEOUT_S
    union_default_graph: bool = False
    process: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _log_dir: tempfile.TemporaryDirectory | None = field(default=None, init=False, repr=False)


    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"{self.base_url}/store"

    def command(self) -> list[str]:
        mode = "serve-read-only" if self.read_only else "serve"
        command = [str(oxigraph_binary()), mode, "--bind", f"{self.host}:{self.port}",
                   "--timeout-s", str(self.timeout_s)]
        if self.location is not None:
            command += ["--location", str(self.location)]
        elif self.read_only:
            raise EndpointError("a read-only Oxigraph server needs a database folder")
        if self.union_default_graph:
            command.append("--union-default-graph")
        return command

    def start(self) -> "OxigraphServer":
        """Start the process and wait until it answers a query."""
        if self.port == 0:
            self.port = free_port(self.host)
        self._log_dir = tempfile.TemporaryDirectory(prefix="vexas-kg-oxigraph-")
        log = open(Path(self._log_dir.name) / "server.log", "wb")
        try:
            # A session of its own: Ctrl-C in the terminal reaches vexas-kg, which stops Oxigraph in order.
            self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        probe = "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise EndpointError(f"the Oxigraph server exited at start (code {self.process.returncode}): "
                                    f"{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=2)
                connection.request("GET", probe, headers={"Accept": "application/sparql-results+json"})
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.05)
        raise EndpointError(f"the Oxigraph server did not answer within {READY_TIMEOUT_S:.0f} s: {self.log_tail()}")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, chars: int = 800) -> str:
        if self._log_dir is None:
            return ""
        path = Path(self._log_dir.name) / "server.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return text.strip()[-chars:]

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL after 10 s) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log_dir is not None:
            self._log_dir.cleanup()
            self._log_dir = None

    def __enter__(self) -> "OxigraphServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def refusal(method: str, path: str, content_type: str, body: bytes) -> str | None:
    """Why the guard refuses a request, or None to pass it on (read-only, no SERVICE, no LOAD)."""
    split = urllib.parse.urlsplit(path)
    if method not in ("GET", "HEAD", "POST", "OPTIONS"):
        return "this endpoint is read-only"
    writes_store = method == "POST" and split.path.rstrip("/").endswith("/store")
    if writes_store or split.path.rstrip("/").endswith("/update"):
        return "this endpoint is read-only"
    params = urllib.parse.parse_qs(split.query, keep_blank_values=True)
    texts = list(params.get("query", []))
    if "update" in params:
        return "this endpoint is read-only"
    kind = content_type.split(";")[0].strip().lower()
    if method == "POST":
        if kind == "application/sparql-update":
            return "this endpoint is read-only"
        if kind == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in form:
                return "this endpoint is read-only"
            texts += form.get("query", [])
        elif kind == "application/sparql-query":
            texts.append(body.decode("utf-8", errors="replace"))
        elif body:
            return f"unsupported request content type {kind or '(none)'}"
    for text in texts:
        used = keywords(text) & FORBIDDEN_KEYWORDS
        if used:
            return f"{' and '.join(sorted(used))} is not allowed here: vexas-kg serve never reaches the network"
    return None


class _GuardServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], backend: OxigraphServer, timeout_s: float) -> None:
        super().__init__(address, _GuardHandler)
        self.backend = backend
        self.timeout_s = timeout_s


class _GuardHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; do not wait for an ACK between
    server: _GuardServer
    _connection: http.client.HTTPConnection | None = None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Quiet: the endpoint's users see their own responses."""

    def _handle(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._reply(411, b"send the request with a Content-Length\n", "text/plain; charset=utf-8")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            self._reply(400, b"bad Content-Length\n", "text/plain; charset=utf-8")
            return
        body = self.rfile.read(length) if length > 0 else b""
        why = refusal(self.command, self.path, self.headers.get("Content-Type", ""), body)
        if why is not None:
            self._reply(403, why.encode("utf-8") + b"\n", "text/plain; charset=utf-8")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            status, reason, out_headers, payload = self._forward(headers, body)
        except TimeoutError:
            self._reply(503, f"the query ran longer than {self.server.timeout_s} s and was stopped\n".encode(),
                        "text/plain; charset=utf-8")
            return
        except OSError as exc:
            self._reply(502, f"the Oxigraph server did not answer: {exc}\n".encode(), "text/plain; charset=utf-8")
            return
        self.send_response(status, reason)
        for key, value in out_headers:
            if key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _forward(self, headers: dict[str, str], body: bytes):
        """Send the request to Oxigraph and read the whole answer within the query timeout.

        Oxigraph's own timeout is checked only now and then (a cancelled query can
        end a 200 answer early), so the guard also keeps a wall-clock deadline and
        answers 503 when it passes.
        """
        deadline = time.monotonic() + self.server.timeout_s + 1
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self.server.backend.host, self.server.backend.port,
                                                              timeout=self.server.timeout_s + 1)
                self._connection.connect()
                self._connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self._connection.request(self.command, self.path, body=body or None, headers=headers)
                response = self._connection.getresponse()
                chunks = []
                while chunk := response.read(65536):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise TimeoutError
                return response.status, response.reason, response.getheaders(), b"".join(chunks)
            except TimeoutError:
                self._connection.close()
                self._connection = None
                raise
            except (http.client.HTTPException, OSError):
                self._connection.close()
                self._connection = None
                if attempt == 2:
                    raise
        raise OSError("unreachable")

    def _reply(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def finish(self) -> None:
        super().finish()
        if self._connection is not None:
            self._connection.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _handle


@dataclass
class Endpoint(_Address):
    """A running read-only endpoint: the guard on ``host:port`` in front of Oxigraph."""

    host: str
    port: int
    backend: OxigraphServer
    guard: _GuardServer


    def wait(self, poll_s: float = 0.5) -> None:
        """Block until interrupted (Ctrl-C) or until Oxigraph stops on its own (an error)."""
        while self.backend.running():
            time.sleep(poll_s)
        raise EndpointError(f"the Oxigraph server stopped unexpectedly (exit code {self.backend.process.returncode}): "
                            f"{self.backend.log_tail()}")


@contextmanager
def serve_graph(graph: Graph, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                timeout_s: int = DEFAULT_TIMEOUT_S) -> Iterator[Endpoint]:
    """Serve ``graph`` read-only at ``http://host:port/query`` until the block ends, then stop cleanly."""
    workdir = Path(tempfile.mkdtemp(prefix="vexas-kg-serve-"))
    backend = OxigraphServer(location=workdir / "db", read_only=True, timeout_s=timeout_s)
    guard: _GuardServer | None = None
    try:
        load_database(workdir / "db", graph)
        backend.start()
        try:
            guard = _GuardServer((host, port), backend, timeout_s)
        except OSError as exc:
            raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        thread = threading.Thread(target=guard.serve_forever, name="vexas-kg-guard", daemon=True)
        thread.start()
        yield Endpoint(host, guard.server_address[1], backend, guard)
    finally:
        if guard is not None:
            guard.shutdown()
            guard.server_close()
        backend.stop()
        shutil.rmtree(workdir, ignore_errors=True)

