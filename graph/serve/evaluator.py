"""Query evaluation in worker processes: the only place the endpoint runs SPARQL.

Each worker holds its own in-memory pyoxigraph store of the graph and answers one
request at a time over its stdin/stdout pipes. The parent gives every request a
deadline; a worker that passes it is killed (its CPU freed at once) and replaced.
A worker's address space is capped with ``RLIMIT_AS`` once the graph is loaded (at its
size plus the per-query budget), so a query that would use more memory fails in that
worker alone, which is then replaced. Workers die with the server: ``PR_SET_PDEATHSIG``
kills them when it dies (even by ``kill -9``), and end of input on stdin ends them too.
Once loaded, a worker may open no new file descriptor (``RLIMIT_NOFILE``), so even a
query the parser check missed could not open a socket: the check on the parsed query
is the gate, this is a second wall.
"""

from __future__ import annotations

import asyncio
import ctypes
import io
import os
import pickle
import resource
import signal
import struct
import sys
from dataclasses import dataclass
from typing import Any, Mapping

from rdflib import Literal

from vexas_kg.graph.query.bounded import address_space
from vexas_kg.runtime import tune_collector

_HEADER = struct.Struct("!Q")
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    """Per-evaluation bounds: address space a worker may add to the loaded graph (MiB) and answer size (bytes)."""

    memory_mb: int = 2048
    max_answer_bytes: int = 256 * 1024 * 1024


class Failure(Exception):
    """An evaluation that ended without an answer; ``status`` is the HTTP status to send."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


# ------------------------------------------------------------------ framing

def _write(stream: Any, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: Any) -> object:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


# ------------------------------------------------------------------ the worker side

class _Bounded(io.RawIOBase):
    """A byte sink that refuses to grow past ``limit`` (an answer too big is an error, never cut short)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.size > self.limit:
            raise OverflowError
        self.parts.append(bytes(data))
        return len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: end of input on stdin still ends the worker
        pass
    if os.getppid() != parent:
        os._exit(0)


def _lock_descriptors() -> None:
    """No new file descriptor from here on (so no socket): the soft limit becomes the lowest free number."""
    probe = os.open(os.devnull, os.O_RDONLY)
    os.close(probe)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (probe, hard))


class _Evaluator:
    """What a worker does with one request."""

    def __init__(self, ntriples: str, printed: Mapping[Literal, Literal], limits: Limits) -> None:
        import pyoxigraph as ox

        from vexas_kg.graph.query.named import OxigraphEngine
        from vexas_kg.graph.query.readonly import check_query
        from vexas_kg.graph.query.results import JsonWriter
        from vexas_kg.queries import catalog

        self.ox = ox
        self.limits = limits
        # no rdflib graph here: parsing one took minutes and gigabytes at 2.3 million triples
        self.engine = OxigraphEngine.from_ntriples(ntriples, printed)
        self.store = self.engine.store
        # the worker's terms are encoded once, as the engine converts them, within the same bound
        self.json = JsonWriter(self.engine.term, self.engine.term.limit)
        for named_query in catalog().values():  # parse each once now; the check is cached by text
            check_query(named_query.text)
        self.results_formats = {f.media_type.split(";")[0]: f for f in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
                                                         ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)}
        self.rdf_formats = {f.media_type.split(";")[0]: f for f in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES,
                                                     ox.RdfFormat.JSON_LD)}
        self.answer(("sparql", "SELECT * { ?s ?p ?o } LIMIT 1", "application/sparql-results+xml"))
        self.answer(("sparql", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/ld+json"))

    def answer(self, request: tuple) -> tuple:
        kind = request[0]
        try:
            if kind == "sparql":
                return ("ok", self._sparql(request[1], request[2]))
            if kind == "table":
                return ("ok", self._table(request[1], request[2]))
            return ("error", 500, f"unknown request {kind!r}")
        except OverflowError:
            return ("error", 503, f"the answer is larger than {self.limits.max_answer_bytes} bytes; "
                                  "ask for fewer rows (LIMIT) or columns")
        except MemoryError:
            raise
        except SyntaxError as exc:
            return ("error", 400, f"the query does not parse: {exc}")
        except Exception as exc:  # the store's and the engine's errors, reported to the client
            status = getattr(exc, "status", None) or (400 if type(exc).__name__ in ("QueryError", "Refused",
                                                                                    "UsageError") else 500)
            return ("error", status, " ".join(str(exc).split())[:1000] or type(exc).__name__)

    def _sparql(self, text: str, media_type: str) -> bytes:
        result = self.store.query(text)
        sink = _Bounded(self.limits.max_answer_bytes)
        if isinstance(result, self.ox.QueryTriples):
            result.serialize(sink, format=self.rdf_formats[media_type])
        else:
            result.serialize(sink, format=self.results_formats[media_type])
        return sink.value()

    def _table(self, call: Any, media_type: str) -> tuple[bytes, int]:
        """A named query's answer (the page of it the call asks for, block by block where the query has
        blocks): the in-process engine's terms (printed number forms kept), not the store's; and its
        number of rows, by which the server tells a full page (there may be a next one)."""
        from vexas_kg.graph.query.paging import evaluate

        fragments = self.json.fragments

        def encoded(text: str, bindings: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
            # each value encoded as the store gives it: at 300 and 3,000 generated documents 10-15 % faster than
            # listing the store's terms first, and a large answer's terms are never all alive at once
            return self.engine.solutions(text, bindings, fragments.__getitem__)

        columns, rows = evaluate(call, encoded, self.json.term_of)
        document = self.json.write_encoded(columns, rows).encode("utf-8")
        if len(document) > self.limits.max_answer_bytes:
            raise OverflowError
        if media_type == "application/sparql-results+json":
            return document, len(rows)
        parsed = self.ox.parse_query_results(document, format=self.ox.QueryResultsFormat.JSON)
        sink = _Bounded(self.limits.max_answer_bytes)
        parsed.serialize(sink, format=self.results_formats[media_type])
        return sink.value(), len(rows)


def main() -> None:
    """Worker entry point: ``python -m vexas_kg.graph.serve.evaluator PARENT_PID``."""
    _die_with_parent(int(sys.argv[1]))
    tune_collector()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which ends its workers
    reader, writer = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    try:
        ntriples, printed, limits = _read(reader)
    except EOFError:
        return
    evaluator = _Evaluator(ntriples, printed, limits)
    del ntriples, printed
    # the bound is what a query may add to the loaded graph (as for `vexas-kg query`), so a larger
    # graph still loads while no query can take more than --memory MiB beyond it
    limit = address_space() + limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _lock_descriptors()
    _write(writer, "ready")
    while True:
        try:
            request = _read(reader)
        except EOFError:
            return
        try:
            reply = evaluator.answer(request)
        except MemoryError:
            _write(writer, ("error", 503, f"the query needed more than {limits.memory_mb} MiB and was stopped"))
            return
        _write(writer, reply)


# ------------------------------------------------------------------ the server side

class Worker:
    """One worker process and its pipes, used by one request at a time."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, ntriples: str, printed: Mapping[Literal, Literal], limits: Limits,
                    ready_s: float = 120.0) -> "Worker":
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "vexas_kg.graph.serve.evaluator", str(os.getpid()),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            limit=2 ** 20)
        worker = cls(process)
        try:
            await worker._send((ntriples, dict(printed), limits))
            ready = await asyncio.wait_for(worker._receive(), ready_s)
        except (EOFError, OSError, asyncio.TimeoutError):
            await worker.kill()
            raise Failure(500, "a query worker did not start") from None
        if ready != "ready":
            await worker.kill()
            raise Failure(500, "a query worker did not start")
        return worker

    async def _send(self, message: object) -> None:
        assert self.process.stdin is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(_HEADER.pack(len(data)) + data)
        await self.process.stdin.drain()

    async def _receive(self) -> object:
        assert self.process.stdout is not None
        try:
            header = await self.process.stdout.readexactly(_HEADER.size)
            (size,) = _HEADER.unpack(header)
            return pickle.loads(await self.process.stdout.readexactly(size))
        except asyncio.IncompleteReadError:
            raise EOFError from None

    async def call(self, request: tuple) -> object:
        await self._send(request)
        return await self._receive()

    async def kill(self) -> None:
        if self.process.returncode is None:
            try:
                self.process.kill()
            except ProcessLookupError:
                pass
        await self.process.wait()


class Pool:
    """A fixed number of workers; a request waits for an idle one, all within its deadline."""

    def __init__(self, ntriples: str, printed: Mapping[Literal, Literal], size: int, limits: Limits) -> None:
        self.ntriples = ntriples
        self.printed = printed
        self.size = size
        self.limits = limits
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.replacing: set[asyncio.Task] = set()
        self.closed = False

    async def start(self) -> None:
        started = await asyncio.gather(*(Worker.start(self.ntriples, self.printed, self.limits)
                                         for _ in range(self.size)))
        for worker in started:
            self.workers.add(worker)
            self.idle.put_nowait(worker)

    async def run(self, request: tuple, timeout_s: float) -> Any:
        """The worker's answer (bytes; for a named query, bytes and its number of rows), or :class:`Failure`
        (503 when the deadline passes or memory runs out)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        try:
            worker = await asyncio.wait_for(self.idle.get(), timeout_s)
        except asyncio.TimeoutError:
            raise Failure(503, f"every query worker stayed busy for {timeout_s:g} s; try again later") from None
        try:
            reply = await asyncio.wait_for(worker.call(request), max(deadline - loop.time(), 0.001))
        except asyncio.TimeoutError:
            self._replace(worker)
            raise Failure(503, f"the query ran longer than {timeout_s:g} s and was stopped") from None
        except (EOFError, OSError, ConnectionError):
            self._replace(worker)
            raise Failure(503, f"the query was stopped: it needed more than the {self.limits.memory_mb} MiB "
                               "a query may use (or its worker failed)") from None
        except BaseException:  # the client went away mid-query: the worker's state is unknown
            self._replace(worker)
            raise
        if reply[0] == "ok":
            self.idle.put_nowait(worker)
            return reply[1]
        _, status, message = reply
        if worker.process.returncode is None and status != 503:
            self.idle.put_nowait(worker)
        else:
            self._replace(worker)
        raise Failure(status, message)

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` now (its CPU is freed at once) and start another in the background."""
        if worker.process.returncode is None:
            try:
                worker.process.kill()
            except ProcessLookupError:
                pass
        self.workers.discard(worker)
        if self.closed:
            return
        task = asyncio.get_running_loop().create_task(self._respawn(worker))
        self.replacing.add(task)
        task.add_done_callback(self.replacing.discard)

    async def _respawn(self, old: Worker) -> None:
        await old.process.wait()
        while not self.closed:
            try:
                worker = await Worker.start(self.ntriples, self.printed, self.limits)
            except Failure:
                await asyncio.sleep(1)
                continue
            if self.closed:
                await worker.kill()
                return
            self.workers.add(worker)
            self.idle.put_nowait(worker)
            return

    async def close(self) -> None:
        self.closed = True
        for task in list(self.replacing):
            task.cancel()
        for worker in list(self.workers):
            await worker.kill()
        self.workers.clear()


if __name__ == "__main__":
    main()
