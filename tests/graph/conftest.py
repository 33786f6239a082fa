"""Fixtures with real parts: an Oxigraph server on a free loopback port, and a sentinel that counts requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from vexas_kg.graph.serve.server import OxigraphServer


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[OxigraphServer]:
    """A read-write, in-memory ``oxigraph serve`` for the whole session (stopped at the end)."""
    with OxigraphServer(timeout_s=30) as server:
        yield server


@dataclass
class Sentinel:
    """A loopback HTTP server that answers every request with an empty SPARQL result and counts it."""

    server: ThreadingHTTPServer
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture()
def sentinel() -> Iterator[Sentinel]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            requests.append(f"{self.command} {self.path}")
            body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Sentinel(server, requests)
    finally:
        server.shutdown()
        server.server_close()


def diff_text(left, right, limit: int = 80) -> str:
    """The triples only in one graph or the other, for a failure message."""
    from rdflib.compare import graph_diff, to_isomorphic

    _, only_left, only_right = graph_diff(to_isomorphic(left), to_isomorphic(right))
    lines = [f"only in the export ({len(only_left)}):"] + sorted(f"  {t}" for t in only_left)[:limit]
    lines += [f"only in the build ({len(only_right)}):"] + sorted(f"  {t}" for t in only_right)[:limit]
    return "\n".join(lines)


@pytest.fixture(scope="session")
def assert_same_graph():
    """Assert two rdflib graphs are isomorphic; on failure print which triples differ."""
    from rdflib.compare import isomorphic

    def check(exported, build_graph) -> None:
        if not isomorphic(exported, build_graph):
            raise AssertionError("the graphs are not isomorphic\n" + diff_text(exported, build_graph))

    return check


@dataclass(frozen=True)
class RecordCitations:
    """Citations as the records state them, read with a plain YAML reader (not the loader), so tests of the
    graph's citation links have an expectation that does not come from the graph itself."""

    claim_entries: dict[str, set[str]]
    """Claim IRI -> reference entry IRIs its ``cites`` numbers name (numbers with no entry left out)."""
    figure_entries: dict[str, set[str]]
    """Figure IRI -> the reference entries of the claims it is stated in."""


@pytest.fixture(scope="session")
def record_citations() -> RecordCitations:
    from importlib.resources import files

    from ruamel.yaml import YAML

    base = "https://w3id.org/vexas-kg/id/doc"
    claims: dict[str, set[str]] = {}
    figures: dict[str, set[str]] = {}
    records = [YAML(typ="safe").load(p.read_text(encoding="utf-8"))
               for p in files("vexas_kg.evidence").joinpath("records").iterdir() if p.name.endswith(".yaml")]
    for record in records:
        doc = record["document"]["id"]
        numbers = {entry["number"] for entry in record.get("references") or []}
        for claim in record.get("claims") or []:
            claims[f"{base}/{doc}/claim/{claim['id']}"] = {f"{base}/{doc}/reference/{n}"
                                                          for n in claim.get("cites") or [] if n in numbers}
    for record in records:
        doc = record["document"]["id"]
        for figure in record.get("figures") or []:
            statement = figure.get("statement")
            figures[f"{base}/{doc}/figure/{figure['id']}"] = claims[f"{base}/{doc}/claim/{statement}"] \
                if statement else set()
    return RecordCitations(claims, figures)
