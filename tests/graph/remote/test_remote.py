"""Remote stores through the standard protocols, against a real Oxigraph server on a loopback port.

Push (Graph Store Protocol PUT, read back, compare count and canonical hash), the
failure paths (the old graph stays, and the error says so), and every named query
run remotely over the SPARQL 1.1 Protocol with the same rows as locally.
"""

from __future__ import annotations

import re

import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from vexas_kg.cli import main
from vexas_kg.errors import EndpointError, QueryError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, engine_for, named, prepare, run_named
from vexas_kg.graph.remote.client import RemoteEngine, canonical_hash, fetch_graph, push, put_graph, run_remote
from vexas_kg.graph.serve.server import OxigraphServer, free_port, load_database
from vexas_kg.graph.query.sparql_text import with_values
from vexas_kg.graph.store.oxigraph import fold_literal, fold_numbers, load_store
from vexas_kg.queries import catalog

pytestmark = pytest.mark.slow
GRAPH = "https://w3id.org/vexas-kg/id/graph/test-remote"


def small_graph(n: int = 3) -> Graph:
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"https://example.org/old/{i}"), RDF.value, Literal(i)))
    return graph


@pytest.fixture(scope="module")
def pushed(oxigraph_server: OxigraphServer, built: Build) -> str:
    push(built.graph, oxigraph_server.store_url, GRAPH)
    return GRAPH


@pytest.fixture(scope="module")
def remote(oxigraph_server: OxigraphServer, pushed: str) -> RemoteEngine:
    return RemoteEngine(oxigraph_server.query_url, timeout_s=60, default_graphs=[pushed])


@pytest.fixture(scope="module")
def labels(built: Build) -> LabelIndex:
    return LabelIndex.from_graph(built.graph)


def test_push_replaces_the_graph_and_verifies_it(oxigraph_server: OxigraphServer, built: Build) -> None:
    graph_iri = "https://w3id.org/vexas-kg/id/graph/test-push"
    put_graph(oxigraph_server.store_url, graph_iri, small_graph())
    report = push(built.graph, oxigraph_server.store_url, graph_iri)
    assert report.triples == len(built.graph) and report.replaced == 3
    assert report.hash == canonical_hash(built.graph)
    back = fetch_graph(oxigraph_server.store_url, graph_iri)
    assert len(back) == len(built.graph) and canonical_hash(back) == report.hash
    assert set(fold_numbers(back)) == set(fold_numbers(built.graph))
    assert not report.exact, "Oxigraph keeps numbers by value; the report must say the printed form changed"
    assert "keeps numbers by value" in report.text()


def test_cli_push(oxigraph_server: OxigraphServer, built: Build) -> None:
    graph_iri = "https://w3id.org/vexas-kg/id/graph/test-cli-push"
    result = CliRunner().invoke(main, ["push", "--endpoint", oxigraph_server.store_url, "--graph", graph_iri])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"pushed {len(built.graph)} triples to <{graph_iri}>")
    assert f"canonical hash {canonical_hash(built.graph)} (matches)" in result.output
    assert len(fetch_graph(oxigraph_server.store_url, graph_iri)) == len(built.graph)


def test_failed_put_leaves_the_old_graph_and_says_so(tmp_path: Path, built: Build) -> None:
    old = small_graph(5)
    load_database(tmp_path / "db", old, GRAPH)
    with OxigraphServer(location=tmp_path / "db", read_only=True) as server:
        with pytest.raises(EndpointError) as failure:
            push(built.graph, server.store_url, GRAPH)
        assert "PUT of graph" in str(failure.value) and "HTTP 403" in str(failure.value)
        assert "the old graph is unchanged (5 triples)" in str(failure.value)
        assert canonical_hash(fetch_graph(server.store_url, GRAPH)) == canonical_hash(old)
        result = CliRunner().invoke(main, ["push", "--endpoint", server.store_url, "--graph", GRAPH])
        assert result.exit_code == 4
        assert "the old graph is unchanged (5 triples)" in result.output


class LossyProxy:
    """Forwards to a store, but drops the last line of the first PUT: a store that loses data."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.puts = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.command == "PUT":
                    proxy.puts += 1
                    if proxy.puts == 1:
                        body = b"".join(body.splitlines(keepends=True)[:-1])
                request = urllib.request.Request(proxy.target + self.path, data=body, method=self.command,
                                                 headers={k: v for k, v in self.headers.items()
                                                          if k.lower() in ("content-type", "accept")})
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, payload = response.status, response.read()
                except urllib.error.HTTPError as exc:
                    status, payload = exc.code, exc.read()
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("existed", [True, False])
def test_read_back_mismatch_restores_the_old_graph(oxigraph_server: OxigraphServer, built: Build,
                                                   existed: bool) -> None:
    graph_iri = f"https://w3id.org/vexas-kg/id/graph/test-lossy-{existed}"
    old = small_graph(4)
    if existed:
        put_graph(oxigraph_server.store_url, graph_iri, old)
    proxy = LossyProxy(oxigraph_server.base_url)
    try:
        with pytest.raises(EndpointError) as failure:
            push(built.graph, f"{proxy.url}/store", graph_iri)
    finally:
        proxy.close()
    message = str(failure.value)
    assert f"sent {len(built.graph)} triples" in message and f"read {len(built.graph) - 1}" in message
    assert "1 sent triples did not come back, first: <" in message
    now = fetch_graph(oxigraph_server.store_url, graph_iri)
    if existed:
        assert "the old graph was restored (4 triples)" in message
        assert canonical_hash(now) == canonical_hash(old)
    else:
        assert "the old graph was restored (it did not exist)" in message
        assert now is None or len(now) == 0


def test_a_store_that_changes_literals_is_named_by_the_triples_it_changed() -> None:
    from vexas_kg.graph.remote.client import differences

    sent, back = Graph(), Graph()
    for graph, text in ((sent, "CRP \u2265 10 mg/L"), (back, "CRP ? 10 mg/L")):
        graph.add((URIRef("urn:x:a"), URIRef("urn:x:quote"), Literal(text)))
        graph.add((URIRef("urn:x:a"), URIRef("urn:x:n"), Literal("5.20", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    back.remove((URIRef("urn:x:a"), URIRef("urn:x:n"), None))
    back.add((URIRef("urn:x:a"), URIRef("urn:x:n"), Literal("5.2", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    message = differences(sent, back)
    assert message.startswith("1 sent triples did not come back, first: <urn:x:a> <urn:x:quote> \"CRP \u2265 10 mg/L\"")
    assert "1 came back that were not sent, first: <urn:x:a> <urn:x:quote> \"CRP ? 10 mg/L\"" in message
    assert "5.2" not in message  # a number kept by value is not a change


def test_push_to_nothing_is_an_endpoint_error(built: Build) -> None:
    with pytest.raises(EndpointError, match="failed"):
        push(small_graph(), f"http://127.0.0.1:{free_port()}/store", GRAPH, timeout_s=5)


def query_values(built: Build, labels: LabelIndex) -> dict[str, list[dict[str, str | tuple[str, ...]]]]:
    """Parameter sets for every named query: none (if allowed), and each parameter set alone to a value
    taken from the query's own unrestricted rows (or, failing that, from the graph)."""
    local = engine_for(built.graph)
    cases: dict[str, list[dict[str, str | tuple[str, ...]]]] = {}
    for name, query in catalog().items():
        required = [p for p in query.parameters if p.required]
        base = {p.name: fallback_value(p.type, built) for p in required}
        table = run_named(name, base, local, labels)
        sets = [base]
        for parameter in query.parameters:
            value = first_value(table, parameter.name) or fallback_value(parameter.type, built)
            if value is not None:
                sets.append({**base, parameter.name: value})
            several = first_values(table, parameter.name, 2)
            if parameter.many and len(several) == 2:
                sets.append({**base, parameter.name: tuple(several)})
        cases[name] = sets
    return cases


def first_value(table: ResultTable, column: str) -> str | None:
    found = first_values(table, column, 1)
    return found[0] if found else None


def first_values(table: ResultTable, column: str, count: int) -> list[str]:
    """The ``count`` smallest distinct values of a column, written as parameter values."""
    if column not in table.columns:
        return []
    index = table.columns.index(column)
    terms = {str(row[index]): row[index] for row in table.rows if row[index] is not None}
    return [f"<{terms[key]}>" if isinstance(terms[key], URIRef) else key for key in sorted(terms)[:count]]


def fallback_value(kind: str, built: Build) -> str | None:
    from vexas_kg.model import parameter_type

    if parameter_type(kind).kinds:
        for cls in sorted(parameter_type(kind).classes()):
            members = sorted(built.graph.subjects(RDF.type, URIRef(cls)))
            members += sorted(built.graph.subjects(URIRef("http://www.w3.org/2004/02/skos/core#inScheme"),
                                                   URIRef(cls)))
            if members:
                return f"<{members[0]}>"
        return None
    return {"duration": "P6M", "integer": "1", "string": "VEXAS"}.get(kind)


def rows_by_value(table: ResultTable) -> Counter:
    return Counter(tuple(fold_literal(term) for term in row) for row in table.rows)


def test_every_named_query_gives_the_same_rows_remotely(remote: RemoteEngine, built: Build,
                                                        labels: LabelIndex) -> None:
    """Transport: the pushed graph, queried over the protocol, answers exactly as the same store locally."""
    local = OxigraphEngine(load_store(built.graph))
    checked = several = 0
    for name, parameter_sets in query_values(built, labels).items():
        query = named(name)
        for params in parameter_sets:
            bindings = prepare(query, params, labels)
            expected = local.select(with_values(query.text, bindings), {})
            got = remote.select(query.text, bindings)
            assert got.columns == expected.columns, name
            assert Counter(got.rows) == Counter(expected.rows), (name, params)
            checked += 1
            several += any(isinstance(v, tuple) for v in params.values())
    assert checked >= len(catalog())
    assert several >= 1, "a parameter with several values goes over the protocol too"


def test_every_named_query_matches_the_local_default_engine(remote: RemoteEngine, built: Build,
                                                            labels: LabelIndex) -> None:
    """What a user compares: ``vexas-kg query NAME`` locally and with ``--endpoint`` (numbers by value)."""
    local = engine_for(built.graph)
    differences = []
    for name, parameter_sets in query_values(built, labels).items():
        for params in parameter_sets:
            expected = run_named(name, params, local, labels)
            got = run_named(name, params, remote, labels)
            assert got.columns == expected.columns, name
            if rows_by_value(got) != rows_by_value(expected):
                differences.append(f"{name} {params}: remote {len(got.rows)} rows, local {len(expected.rows)} rows")
    assert not differences, "\n".join(differences)


def test_run_remote_resolves_labels_on_the_store(oxigraph_server: OxigraphServer, pushed: str, built: Build,
                                                 labels: LabelIndex) -> None:
    name, query = next((n, q) for n, q in catalog().items() if any(p.type in ("drug", "intervention")
                                                                   for p in q.parameters))
    parameter = next(p for p in query.parameters if p.type in ("drug", "intervention"))
    drug = str(built.graph.value(sorted(built.graph.subjects(RDF.type, URIRef(
        "https://w3id.org/vexas-kg/vocab#Drug")))[0], URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    got = run_remote(name, {parameter.name: drug}, oxigraph_server.query_url, pushed)
    expected = run_named(name, {parameter.name: drug}, engine_for(built.graph), labels)
    assert rows_by_value(got) == rows_by_value(expected)


def test_labels_resolve_against_the_remote_store(remote: RemoteEngine, labels: LabelIndex) -> None:
    remote_labels = LabelIndex.from_engine(remote)
    assert remote_labels.keys == labels.keys
    assert {k: v.kinds for k, v in remote_labels.entries.items()} == {k: v.kinds for k, v in labels.entries.items()}


def test_remote_bad_query_is_a_query_error(remote: RemoteEngine) -> None:
    with pytest.raises(QueryError, match="rejected the query"):
        remote.select("SELECT ?x WHERE { ?x ?y }", {})


def test_remote_timeout_is_an_endpoint_error() -> None:
    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            time.sleep(3)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        with pytest.raises(EndpointError, match="failed"):
            RemoteEngine(f"http://127.0.0.1:{server.server_address[1]}/query", timeout_s=1).select("ASK {}", {})
        assert time.monotonic() - started < 2.5
    finally:
        server.shutdown()
        server.server_close()


def test_unreachable_endpoint_is_an_endpoint_error() -> None:
    with pytest.raises(EndpointError, match="failed"):
        RemoteEngine(f"http://127.0.0.1:{free_port()}/query", timeout_s=5).select("ASK {}", {})


def json_rows(text: str) -> tuple[tuple[str, ...], Counter]:
    """Columns and rows (terms in canonical value form) of SPARQL JSON results printed by the CLI."""
    from vexas_kg.graph.remote.client import results_from_json

    import json

    table = results_from_json(json.loads(text))
    return table.columns, rows_by_value(table)


def test_cli_query_endpoint_gives_the_local_rows(oxigraph_server: OxigraphServer, pushed: str, built: Build,
                                                 labels: LabelIndex) -> None:
    runner = CliRunner()
    local = engine_for(built.graph)
    names = [n for n, q in catalog().items() if not any(p.required for p in q.parameters)]
    assert names
    for name in names:
        result = runner.invoke(main, ["query", name, "--endpoint", oxigraph_server.query_url, "--graph", pushed,
                                      "--format", "json"])
        assert result.exit_code == 0, result.output
        columns, rows = json_rows(result.output)
        expected = run_named(name, {}, local, labels)
        assert columns == expected.columns and rows == rows_by_value(expected), name


def test_cli_query_endpoint_prints_every_local_format(oxigraph_server: OxigraphServer, pushed: str) -> None:
    runner = CliRunner()
    name = next(n for n, q in catalog().items() if not any(p.required for p in q.parameters))
    for fmt in ("table", "csv", "tsv", "json"):
        remote = runner.invoke(main, ["query", name, "--endpoint", oxigraph_server.query_url, "--graph", pushed,
                                      "--format", fmt])
        local = runner.invoke(main, ["query", name, "--format", fmt])
        assert remote.exit_code == local.exit_code == 0, remote.output
        assert remote.output.splitlines()[0] == local.output.splitlines()[0]
        assert len(remote.output.splitlines()) == len(local.output.splitlines())


def test_cli_query_endpoint_errors(oxigraph_server: OxigraphServer, pushed: str, tmp_path: Path) -> None:
    runner = CliRunner()
    name = next(n for n, q in catalog().items() if not any(p.required for p in q.parameters))
    unreachable = runner.invoke(main, ["query", name, "--endpoint", f"http://127.0.0.1:{free_port()}/query",
                                       "--timeout", "5"])
    assert unreachable.exit_code == 4 and "error:" in unreachable.output
    misplaced = runner.invoke(main, ["query", name, "--graph", pushed])
    assert misplaced.exit_code == 2 and "--graph belongs to --endpoint" in misplaced.output
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    bad = runner.invoke(main, ["query", "--file", str(broken), "--endpoint", oxigraph_server.query_url])
    assert bad.exit_code == 3, bad.output


def test_a_forgotten_graph_is_reported_as_missing_data_not_as_an_unknown_drug(oxigraph_server: OxigraphServer,
                                                                               pushed: str) -> None:
    """Issue 12, item 6: the data sits in a named graph; without --graph the default graph is empty."""
    runner = CliRunner()
    labelled = runner.invoke(main, ["query", "safety-profile", "--endpoint", oxigraph_server.query_url,
                                    "--param", "intervention=tofacitinib"])
    assert labelled.exit_code == 2
    assert "unknown" not in labelled.output and "holds no vexas-kg data" in labelled.output
    assert "--graph https://w3id.org/vexas-kg/id/graph/vexas-kg" in labelled.output
    unlabelled = runner.invoke(main, ["query", "evidence-overview", "--endpoint", oxigraph_server.query_url])
    assert unlabelled.exit_code == 0
    assert "note: no rows: the default graph of" in unlabelled.output and "--graph" in unlabelled.output
    found = runner.invoke(main, ["query", "evidence-overview", "--endpoint", oxigraph_server.query_url,
                                 "--graph", pushed])
    assert found.exit_code == 0 and "note:" not in found.output


def test_trace_on_a_remote_store_gives_the_local_trail(oxigraph_server: OxigraphServer, pushed: str,
                                                        built: Build) -> None:
    """trace --endpoint: the same trail (statistics, notes, citation warnings, comparability verdicts) from a
    real Oxigraph server."""
    runner = CliRunner()
    for item in ("000:azacitidine-response-risk-ratio", "000:momelotinib-effective-case-reports", "91%",
                 "004:jaki-overall-response-6m"):
        remote = runner.invoke(main, ["trace", item, "--endpoint", oxigraph_server.query_url, "--graph", pushed])
        local = runner.invoke(main, ["trace", item])
        assert remote.exit_code == local.exit_code == 0, remote.output
        # Oxigraph keeps decimals by value: a printed 5.20 comes back as 5.2 (docs/serving.md).
        # Only composed bounds are folded; verbatim quotes are text and stay as printed.
        assert remote.output == re.sub(r"(?<=CI )(\d+(?:\.\d*[1-9])?)\.?0*–(\d+(?:\.\d*[1-9])?)\.?0*\b",
                                       r"\1–\2", local.output)
    as_json = runner.invoke(main, ["trace", "004:baseline-crp", "--endpoint", oxigraph_server.query_url,
                                   "--graph", pushed, "--format", "json"])
    assert as_json.exit_code == 0 and '"text": "IQR 19–57 mg/L"' in as_json.output
    # The comparability verdicts (the comparisons query, run on the remote store with the figure bound).
    assert '"relation": "comparability"' in as_json.output and '"label": "not comparable"' in as_json.output
    forgotten = runner.invoke(main, ["trace", "004:baseline-crp", "--endpoint", oxigraph_server.query_url])
    assert forgotten.exit_code == 2 and "holds no vexas-kg data" in forgotten.output
