"""Serve the graph (``vexas-kg serve``), and run a plain Oxigraph server (tests, benchmarks).

:func:`run_endpoint` is the endpoint: one process whose HTTP server (uvicorn, h11)
hands each parsed request to :class:`~vexas_kg.graph.serve.app.EndpointApp`; queries
run in worker processes it owns (see :mod:`vexas_kg.graph.serve.evaluator`). No
other server, port or temporary folder is involved.

:class:`OxigraphServer` starts the ``oxigraph`` program from the PyPI ``oxigraph``
package: the read-write store the ``push`` tests write to, and the plain
``serve-read-only`` the endpoint benchmark compares against. It is not part of
``vexas-kg serve``.
"""

from __future__ import annotations

import dataclasses
import http.client
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from typing import Callable, Iterable

import h11
from rdflib import Graph
from uvicorn.protocols.http.h11_impl import H11Protocol

from vexas_kg.errors import EndpointError
from vexas_kg.graph.store.serialize import to_ntriples

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30
READY_TIMEOUT_S = 30.0


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


class _BoundedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the request head: a client that opens a
    connection (or keeps one alive) and sends an incomplete request is disconnected."""

    head_timeout_s = 10.0

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # head and body go out in two writes: do not wait for the client's (delayed) ACK in between
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    _idle_period = 0

    def _arm(self) -> None:
        """Start a deadline for the next request head; a later idle period makes this one void."""
        self._idle_period += 1
        self.loop.call_later(self.head_timeout_s, self._head_overdue, self._idle_period)

    def _head_overdue(self, period: int) -> None:
        if period == self._idle_period and self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def allowed_hosts(host: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host header values answered: the bound name and port (and the loopback names when bound to loopback)."""
    names = {host, *extra}
    if host in ("127.0.0.1", "localhost", "::1"):
        names |= {"127.0.0.1", "localhost", "[::1]"}
    if host in ("0.0.0.0", "::"):
        names |= {"127.0.0.1", "localhost", "[::1]", socket.gethostname(), socket.getfqdn()}
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    return frozenset(n.lower() for name in names for n in (name, f"{name}:{port}"))


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), or an EndpointError saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(False)
    return sock


def run_endpoint(graph: Graph, host: str = "127.0.0.1", port: int = DEFAULT_PORT, settings: "Settings | None" = None,
                 extra_hosts: Iterable[str] = (), on_ready: Callable[[str], None] | None = None) -> None:
    """Serve ``graph`` read-only until SIGINT or SIGTERM; ``on_ready`` gets the base URL once it answers."""
    import asyncio

    import uvicorn

    from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, printed_forms
    from vexas_kg.graph.serve.app import EndpointApp, Settings

    sock = listen(host, port)
    bound = sock.getsockname()[1]
    chosen = dataclasses.replace(settings or Settings(), allowed_hosts=allowed_hosts(host, bound, extra_hosts))
    # serialized once: the workers load these N-Triples and printed forms; the label index comes from a
    # scratch pyoxigraph store of the same text (over ten times faster than rdflib), then is dropped
    ntriples, printed = to_ntriples(graph), printed_forms(graph)
    labels = LabelIndex.from_engine(OxigraphEngine.from_ntriples(ntriples, printed))
    app = EndpointApp(ntriples, printed, len(graph), labels, chosen)
    config = uvicorn.Config(app, http=_BoundedH11, lifespan="on", log_level="warning", access_log=False,
                            timeout_keep_alive=5, h11_max_incomplete_event_size=16 * 1024, backlog=2048,
                            timeout_graceful_shutdown=2, server_header=False, date_header=True)
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host

    async def main() -> None:
        async def announce() -> None:
            while not server.started and not server.should_exit:
                await asyncio.sleep(0.02)
            if server.started and on_ready is not None:
                on_ready(f"http://{shown}:{bound}")

        waiter = asyncio.create_task(announce())
        try:
            await server.serve(sockets=[sock])
        finally:
            waiter.cancel()
            await app.pool.close()

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # uvicorn stops on SIGINT/SIGTERM, then raises the signal again: both end here as a clean stop
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    if not server.started:
        raise EndpointError("the endpoint did not start (its query workers failed to load the graph)")
