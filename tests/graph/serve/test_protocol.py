"""The SPARQL 1.1 Protocol, the named-query API and the page, as ordinary clients see them."""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import subprocess
import sys
import urllib.parse

import pyoxigraph as ox
import pytest
from rdflib import Graph
from SPARQLWrapper import JSON, SPARQLWrapper

pytestmark = pytest.mark.slow
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 25"


def call(port: int, method: str, target: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()
    finally:
        connection.close()


def q(text: str) -> str:
    return "/query?" + urllib.parse.urlencode({"query": text})


RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/csv": ox.QueryResultsFormat.CSV, "text/tab-separated-values": ox.QueryResultsFormat.TSV}


@pytest.mark.parametrize("media", list(RESULTS))
def test_select_and_ask_in_every_results_format(server, built, media: str) -> None:
    for method, target, body, extra in (
            ("GET", q(COUNT), None, {}),
            ("POST", "/query", urllib.parse.urlencode({"query": COUNT}).encode(),
             {"Content-Type": "application/x-www-form-urlencoded"}),
            ("POST", "/query", COUNT.encode(), {"Content-Type": "application/sparql-query"})):
        status, headers, answer = call(server.port, method, target, body, {"Accept": media, **extra})
        assert status == 200, answer
        assert headers["content-type"].split(";")[0] == media
        if media == "text/csv":  # lossy by design: plain values
            rows = list(csv.reader(io.StringIO(answer.decode("utf-8"))))
            assert rows[0] == ["n"] and int(rows[1][0]) == len(built.graph)
            continue
        solutions = list(ox.parse_query_results(answer, format=RESULTS[media]))
        assert int(solutions[0]["n"].value) == len(built.graph)
    if media not in ("text/csv", "text/tab-separated-values"):  # CSV/TSV have no boolean form
        status, _, answer = call(server.port, "GET", q("ASK { ?s ?p ?o }"), headers={"Accept": media})
        assert status == 200 and bool(ox.parse_query_results(answer, format=RESULTS[media])) is True


@pytest.mark.parametrize("media, rdflib_format", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                                  ("application/ld+json", "json-ld")])
def test_construct_and_describe_in_every_rdf_format(server, media: str, rdflib_format: str) -> None:
    for text in (CONSTRUCT, "DESCRIBE <https://w3id.org/vexas-kg/id/doc/004>"):
        status, headers, answer = call(server.port, "GET", q(text), headers={"Accept": media})
        assert status == 200, answer
        assert headers["content-type"].split(";")[0] == media
        assert len(Graph().parse(data=answer, format=rdflib_format)) > 0


def test_content_negotiation_and_406(server) -> None:
    status, headers, _ = call(server.port, "GET", q(COUNT), headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+xml")
    status, headers, _ = call(server.port, "GET", q(COUNT))
    assert status == 200 and headers["content-type"] == "application/sparql-results+json"
    status, _, answer = call(server.port, "GET", q(COUNT), headers={"Accept": "text/turtle"})
    assert status == 406 and b"application/sparql-results+json" in answer
    status, _, _ = call(server.port, "GET", q(CONSTRUCT), headers={"Accept": "text/csv"})
    assert status == 406


def test_service_description_lists_only_what_it_does(server, built) -> None:
    status, headers, answer = call(server.port, "GET", "/query", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    text = answer.decode()
    assert f"sd:endpoint <{server.url}/query>" in text
    assert "BasicFederatedQuery" not in text and "Update" not in text
    ports = set(re.findall(r"127\.0\.0\.1:(\d+)", text))
    assert ports == {str(server.port)}  # no other port is advertised
    Graph().parse(data=text, format="turtle")


def test_cors_and_methods(server, launch) -> None:
    status, headers, _ = call(server.port, "GET", q(COUNT), headers={"Origin": "http://yasgui.example"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    status, headers, _ = call(server.port, "OPTIONS", "/query", headers={
        "Origin": "http://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204
    assert "POST" in headers["access-control-allow-methods"] and "content-type" in \
        headers["access-control-allow-headers"].lower()
    status, headers, body = call(server.port, "HEAD", q(COUNT))
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    for method in ("PUT", "DELETE", "PATCH"):
        status, headers, _ = call(server.port, method, "/query", body=b"")
        assert status == 405 and "GET" in headers["allow"]
    closed = launch("--no-cors")
    try:
        status, headers, _ = call(closed.port, "GET", q(COUNT), headers={"Origin": "http://yasgui.example"})
        assert status == 200 and "access-control-allow-origin" not in headers
    finally:
        closed.stop()


def test_sparqlwrapper_reads_the_endpoint(server, built) -> None:
    client = SPARQLWrapper(f"{server.url}/query")
    client.setReturnFormat(JSON)
    client.setQuery(COUNT)
    assert int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"]) == len(built.graph)


def test_api_lists_describes_and_answers_named_queries(server) -> None:
    from vexas_kg.queries import catalog

    status, _, answer = call(server.port, "GET", "/api")
    listing = json.loads(answer)
    assert status == 200 and listing["service"] == "vexas-kg"
    assert [entry["name"] for entry in listing["queries"]] == list(catalog())
    status, _, answer = call(server.port, "GET", "/api/openapi.json")
    spec = json.loads(answer)
    assert spec["openapi"].startswith("3.") and set(spec["paths"]) == {f"/api/{n}" for n in catalog()}
    trail = "/api/provenance-trail?" + urllib.parse.urlencode({"item": "004:jaki-overall-response-3m"})
    for media, fmt in RESULTS.items():
        status, _, answer = call(server.port, "GET", trail, headers={"Accept": media})
        assert status == 200 and (media == "text/csv" or list(ox.parse_query_results(answer, format=fmt)))
    status, _, answer = call(server.port, "GET", "/api/provenance-trail")
    assert status == 400 and b"item" in answer
    status, _, answer = call(server.port, "GET", "/api/safety-profile?intervention=tofacitnib")
    assert status == 400 and b"tofacitinib" in answer  # the close match, as on the CLI
    status, _, _ = call(server.port, "GET", "/api/no-such-query")
    assert status == 404


def test_the_page_is_self_contained_and_offers_every_query(server) -> None:
    status, headers, page = call(server.port, "GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    text = page.decode()
    assert not re.search(r"""(src|href)=["']https?://""", text)  # no CDN
    assert "/api/provenance-trail?" in text and 'fetch("/api"' in text


def test_cli_query_endpoint_uses_the_api_and_matches_in_process(server) -> None:
    args = ["safety-profile", "--param", "intervention=tofacitinib", "--format", "json"]
    local = subprocess.run([sys.executable, "-m", "vexas_kg.cli", "query", *args], capture_output=True, text=True,
                           timeout=120)
    remote = subprocess.run([sys.executable, "-m", "vexas_kg.cli", "query", *args, "--endpoint", f"{server.url}/query"],
                            capture_output=True, text=True, timeout=120)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    wrong = subprocess.run([sys.executable, "-m", "vexas_kg.cli", "query", "safety-profile", "--param",
                            "intervention=tofacitnib", "--endpoint", f"{server.url}/query"],
                           capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "tofacitinib" in wrong.stderr


def _page_dom(server, tmp_path, fragment: dict[str, str]) -> tuple[str, str]:
    """The endpoint's page at ``/#fragment`` as headless Chromium leaves it (DOM, browser's stderr)."""
    import shutil

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (scripts/setup installs it where apt-get runs as root)")
    page = f"{server.url}/#" + urllib.parse.urlencode(fragment)
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}",
                           "--virtual-time-budget=15000", "--dump-dom", page],
                          capture_output=True, text=True, timeout=120)
    return done.stdout, done.stderr


def test_the_page_runs_in_a_browser_and_links_figures_to_their_trail(server, tmp_path) -> None:
    dom, errors = _page_dom(server, tmp_path, {"query": "comparative-efficacy", "intervention": "tofacitinib"})
    assert "Comparative efficacy" in dom, errors[-1000:]
    assert re.search(r"\d+ rows? in \d+ ms", dom), dom[-2000:]
    assert "<table>" in dom and "/api/provenance-trail?item=https%3A%2F%2Fw3id.org%2Fvexas-kg%2Fid%2Fdoc%2F" in dom


def test_the_page_offers_the_next_page_of_a_paged_answer(server, tmp_path) -> None:
    dom, _ = _page_dom(server, tmp_path, {"query": "comparisons", "limit": "2"})
    assert re.search(r"2 rows in \d+ ms: one page of the answer, which may go on <button[^>]*>next page</button>",
                     dom), dom[-2000:]


def test_api_answers_every_example_as_the_library_does(server, built) -> None:
    """Every example of every named query (and its call without parameters), and the next page of each paged one, through ``/api``: the
    worker encodes the store's values as they come (and binds block keys and narrowed values from
    that encoding), and its document is the in-process answer's, term for term."""
    from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, parse_params, run_query
    from vexas_kg.graph.query.results import to_json
    from vexas_kg.queries import catalog

    engine = OxigraphEngine.from_graph(built.graph)
    labels = LabelIndex.from_engine(engine)
    cases = []
    for named_query in catalog().values():
        for example in ((),) + named_query.examples:
            if not example and any(p.required for p in named_query.parameters):
                continue
            cases.append((named_query, example))
            if named_query.paged and not {"limit", "offset"} & {key for key, _ in example}:
                cases.append((named_query, example + (("limit", "2"), ("offset", "1"))))
    assert {q.name for q, _ in cases} == set(catalog()) and any(q.narrow for q, _ in cases) \
        and any(q.blocks for q, example in cases if ("limit", "2") in example)
    for named_query, example in cases:
        params = parse_params(f"{key}={value}" for key, value in example)
        expected = json.loads(to_json(run_query(named_query, params, engine, labels)))
        status, _, answer = call(server.port, "GET", f"/api/{named_query.name}?" + urllib.parse.urlencode(example),
                                 headers={"Accept": "application/sparql-results+json"})
        assert status == 200, (named_query.name, example, answer[:300])
        assert json.loads(answer) == expected, (named_query.name, example)


def test_api_pages_a_pairwise_query(server, built) -> None:
    from vexas_kg.graph.query.named import OxigraphEngine, run_named

    params = {"figure": "004:jaki-overall-response-6m"}
    whole = run_named("comparisons", params, OxigraphEngine.from_graph(built.graph))
    target = "/api/comparisons?" + urllib.parse.urlencode({**params, "limit": 2, "offset": 1})
    status, headers, answer = call(server.port, "GET", target, headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(answer)["results"]["bindings"]
    assert status == 200 and [r["figureB"]["value"] for r in rows] == [str(r[5]) for r in whole.rows[1:3]]
    figure = urllib.parse.quote(params["figure"], safe="")
    assert headers["link"] == f'</api/comparisons?figure={figure}&offset=3&limit=2>; rel="next"'
    status, headers, answer = call(server.port, "GET", headers["link"][1:headers["link"].index(">")],
                                   headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(answer)["results"]["bindings"]
    assert status == 200 and [r["figureB"]["value"] for r in rows] == [str(r[5]) for r in whole.rows[3:5]]
    status, headers, answer = call(server.port, "GET", "/api/comparisons?" + urllib.parse.urlencode(
        {**params, "limit": "all"}), headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and len(json.loads(answer)["results"]["bindings"]) == len(whole.rows)
    assert "link" not in headers, "the whole answer has no next page"
    status, _, answer = call(server.port, "GET", "/api/comparisons?limit=0")
    assert status == 400 and b"limit" in answer
    status, _, answer = call(server.port, "GET", "/api/openapi.json")
    schema = {p["name"]: p["schema"] for p in json.loads(answer)["paths"]["/api/comparisons"]["get"]["parameters"]}
    assert schema["limit"] == {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["all"]}],
                               "default": 100}
    assert schema["offset"] == {"type": "integer", "minimum": 0, "default": 0}
