"""The Oxigraph server: start, readiness, read-only serving, the SERVICE/LOAD guard, timeout, clean stop."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from vexas_kg.errors import EndpointError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.serve.server import OxigraphServer, free_port, oxigraph_binary, refusal, serve_graph

pytestmark = pytest.mark.slow


def request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30) -> tuple[int, str, bytes]:
    """One HTTP request; returns status, content type and body."""
    split = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=timeout)
    try:
        path = split.path + (f"?{split.query}" if split.query else "")
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def select(url: str, query: str) -> dict:
    status, _, body = request(f"{url}?{urllib.parse.urlencode({'query': query})}",
                              headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return json.loads(body)


def port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def endpoint(built: Build):
    with serve_graph(built.graph, port=0, timeout_s=5) as running:
        yield running


def test_binary_comes_from_this_pythons_scripts_folder() -> None:
    binary = oxigraph_binary()
    assert binary.parent == Path(sys.executable).parent or binary.parent.name in ("bin", "Scripts")
    assert os.access(binary, os.X_OK)


def test_server_starts_answers_and_stops(tmp_path: Path) -> None:
    server = OxigraphServer()
    server.start()
    try:
        assert server.running()
        answer = select(server.query_url, "ASK { }")
        assert answer["boolean"] is True
    finally:
        server.stop()
    assert server.process.returncode is not None
    assert port_is_closed(server.port)


def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = OxigraphServer(port=taken.getsockname()[1])
        with pytest.raises(EndpointError, match="exited at start"):
            server.start()
    assert not server.running()


def test_serves_the_whole_build_read_only(endpoint, built: Build) -> None:
    answer = select(endpoint.query_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == len(built.graph)
    status, _, _ = request(f"{endpoint.base_url}/update", "POST", b"CLEAR ALL",
                           {"Content-Type": "application/sparql-update"})
    assert status == 403
    status, _, _ = request(f"{endpoint.base_url}/store?graph=http://g", "PUT", b"<http://a> <http://b> <http://c> .",
                           {"Content-Type": "application/n-triples"})
    assert status == 403
    answer = select(endpoint.query_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == len(built.graph)


def test_query_page_is_served(endpoint) -> None:
    status, content_type, body = request(f"{endpoint.base_url}/", headers={"Accept": "text/html"})
    assert status == 200 and content_type.startswith("text/html")
    assert b"<html" in body.lower() or b"<!doctype html" in body.lower()


def test_sparqlwrapper_client(endpoint, built: Build) -> None:
    client = SPARQLWrapper(endpoint.query_url)
    client.setReturnFormat(JSON)
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    answer = client.queryAndConvert()
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == len(built.graph)


def service_requests(target: str) -> list[tuple[str, str, bytes, dict]]:
    """The ways a SERVICE or LOAD can be sent: GET, form POST, direct POST, escaped, lower case, update."""
    service = f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}"
    escaped = f"SELECT * WHERE {{ \\u0053ERVICE <{target}/sparql> {{ ?s ?p ?o }} }}"
    load = f"LOAD <{target}/data.nt>"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return [
        ("GET", "/query?" + urllib.parse.urlencode({"query": service}), b"", {}),
        ("GET", "/query?" + urllib.parse.urlencode({"query": service.lower().replace(target.lower(), target)}), b"", {}),
        ("GET", "/query?" + urllib.parse.urlencode({"query": escaped}), b"", {}),
        ("POST", "/query", urllib.parse.urlencode({"query": service}).encode(), form),
        ("POST", "/query", service.encode(), {"Content-Type": "application/sparql-query"}),
        ("POST", "/update", load.encode(), {"Content-Type": "application/sparql-update"}),
        ("POST", "/update", urllib.parse.urlencode({"update": load}).encode(), form),
        ("POST", "/query", urllib.parse.urlencode({"update": load}).encode(), form),
        ("GET", "/query?" + urllib.parse.urlencode({"update": load}), b"", {}),
        ("GET", "/query?" + urllib.parse.urlencode({"query": f"SELECT * {{ ?s ?p ?o }} # \n LOAD <{target}/x>"}),
         b"", {}),
    ]


def test_service_and_load_never_reach_the_network(endpoint, sentinel) -> None:
    for method, path, body, headers in service_requests(sentinel.url):
        status, _, answer = request(endpoint.base_url + path, method, body or None, headers)
        assert status == 403, (method, path, answer)
    time.sleep(0.2)
    assert sentinel.requests == []


def test_a_chunked_request_body_is_refused(endpoint, sentinel) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{sentinel.url}/sparql> {{ ?s ?p ?o }} }}".encode()
    chunked = f"{len(query):x}\r\n".encode() + query + b"\r\n0\r\n\r\n"
    status, _, _ = request(endpoint.query_url, "POST", chunked,
                           {"Content-Type": "application/sparql-query", "Transfer-Encoding": "chunked"})
    assert status == 411
    assert sentinel.requests == []


def test_the_sentinel_would_see_an_unguarded_service_call(oxigraph_server, sentinel) -> None:
    """Control: Oxigraph itself does call SERVICE endpoints, so the guard is what keeps the network out."""
    query = f"SELECT * WHERE {{ SERVICE <{sentinel.url}/sparql> {{ ?s ?p ?o }} }}"
    request(f"{oxigraph_server.query_url}?{urllib.parse.urlencode({'query': query})}",
            headers={"Accept": "application/sparql-results+json"})
    assert sentinel.requests and sentinel.requests[0].startswith(("GET /sparql", "POST /sparql"))


def test_the_guard_passes_ordinary_queries_that_mention_the_words(endpoint) -> None:
    query = 'SELECT ?service WHERE { BIND("SERVICE and LOAD" AS ?service) }'
    answer = select(endpoint.query_url, query)
    assert answer["results"]["bindings"][0]["service"]["value"] == "SERVICE and LOAD"


@pytest.mark.parametrize("method, path, content_type, body, refused", [
    ("GET", "/query?query=SELECT%20*%20%7B%7D", "", b"", False),
    ("GET", "/", "", b"", False),
    ("GET", "/store?graph=http%3A%2F%2Fg", "", b"", False),
    ("POST", "/query", "application/sparql-query", b"ASK {}", False),
    ("POST", "/store", "application/n-triples", b"", True),
    ("DELETE", "/store?graph=http%3A%2F%2Fg", "", b"", True),
    ("POST", "/query", "text/plain", b"SELECT", True),
])
def test_refusal_rules(method: str, path: str, content_type: str, body: bytes, refused: bool) -> None:
    assert (refusal(method, path, content_type, body) is not None) is refused


@pytest.mark.parametrize("heavy", [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } LIMIT 10 OFFSET 100000000",
])
def test_query_timeout_is_enforced(built: Build, heavy: str) -> None:
    with serve_graph(built.graph, port=0, timeout_s=1) as running:
        started = time.monotonic()
        status, _, body = request(f"{running.query_url}?{urllib.parse.urlencode({'query': heavy})}",
                                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
        elapsed = time.monotonic() - started
        assert select(running.query_url, "ASK {}")["boolean"] is True
    assert status == 503, body[:200]
    assert b"longer than 1 s" in body
    assert elapsed < 5


def test_serve_graph_stops_everything(built: Build) -> None:
    with serve_graph(built.graph, port=0) as running:
        port, backend = running.port, running.backend
        assert select(running.query_url, "ASK {}")["boolean"] is True
    assert port_is_closed(port) and port_is_closed(backend.port)
    assert backend.process.returncode is not None


def test_serve_reports_a_port_in_use(built: Build) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(EndpointError, match="cannot listen"):
            with serve_graph(built.graph, port=taken.getsockname()[1]):
                pass


def _interruptible() -> None:
    """In the child: Ctrl-C acts even when the test run itself ignores SIGINT (a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vexas_kg.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)


def test_cli_serve_prints_the_url_answers_and_stops_on_ctrl_c(built: Build) -> None:
    process = cli("serve", "--port", str(free_port()))
    try:
        first = process.stdout.readline()
        match = re.match(r"SPARQL endpoint: (http://127\.0\.0\.1:\d+/query)$", first.strip())
        assert match, first + process.stderr.read() if process.poll() is not None else first
        for _ in range(2):
            process.stdout.readline()
        url = match.group(1)
        client = SPARQLWrapper(url)
        client.setReturnFormat(JSON)
        client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"]) == len(built.graph)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert out.strip().endswith("stopped")
    assert port_is_closed(urllib.parse.urlsplit(url).port)


def test_cli_serve_refuses_a_graph_that_does_not_conform(evidence_copy: Path) -> None:
    record = evidence_copy / "records" / "004.yaml"
    text = record.read_text(encoding="utf-8")
    assert "furniture:\n" in text
    record.write_text(re.sub(r"furniture:\n(  - .*\n(    .*\n)*)+", "", text, count=1), encoding="utf-8")
    process = cli("serve", "--port", str(free_port()), "--evidence", str(evidence_copy))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, out + err
    assert "SPARQL endpoint" not in out
    assert "error:" in err


def test_named_queries_through_serve_match_the_local_engine(endpoint, built: Build) -> None:
    from collections import Counter

    from vexas_kg.graph.query.named import engine_for, run_named
    from vexas_kg.graph.remote.client import run_remote
    from vexas_kg.graph.store.oxigraph import fold_literal
    from vexas_kg.queries import catalog

    local = engine_for(built.graph)
    names = [n for n, q in catalog().items() if not any(p.required for p in q.parameters)]
    assert names
    for name in names:
        remote, expected = run_remote(name, {}, endpoint.query_url), run_named(name, {}, local)
        assert remote.columns == expected.columns
        by_value = [Counter(tuple(map(fold_literal, row)) for row in t.rows) for t in (remote, expected)]
        assert by_value[0] == by_value[1], name
