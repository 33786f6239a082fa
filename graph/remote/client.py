"""Talk to any SPARQL 1.1 store: SELECT with the SPARQL 1.1 Protocol, and replace a graph with the Graph Store Protocol.

Only the two W3C protocols are used, so the same code works with Oxigraph,
Virtuoso, GraphDB, Jena Fuseki or QLever (see docs/serving.md for their URLs).

``push`` replaces one named graph with an HTTP ``PUT``, reads it back with ``GET``
and compares triple count and canonical hash. On any failure the previous content
of the graph is put back (or the graph deleted, if it did not exist) and checked,
and the error says what happened to it.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Mapping, Sequence

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Identifier
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused_et

from vexas_kg import defaults
from vexas_kg.errors import EndpointError, QueryError
from vexas_kg.graph.remote import transport
from vexas_kg.graph.remote.credentials import Credentials
from vexas_kg.graph.query.engine import Binding, ResultTable
from vexas_kg.graph.query.named import Params, portable
from vexas_kg.graph.query import results
from vexas_kg.graph.store.serialize import to_ntriples
from vexas_kg.graph.query.sparql_text import with_values
from vexas_kg.graph.store.oxigraph import fold_numbers

DEFAULT_TIMEOUT_S = 30
DEFAULT_GRAPH = URIRef(defaults.GRAPH_IRI)
NTRIPLES = "application/n-triples"
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"


class RemoteEngine:
    """The :class:`~vexas_kg.graph.query.engine.Engine` of a remote SPARQL endpoint (SPARQL 1.1 Protocol).

    Parameters are bound with ``VALUES`` at the top of the WHERE group (one row; one row
    per value for a parameter given several).
    ``default_graphs`` are sent as ``default-graph-uri`` (for stores that keep the
    data in a named graph, as ``push`` does). Result terms are reported as the local
    engines report them (integers as ``xsd:integer``); a store that keeps numbers by
    value returns decimals in canonical form (``5.2`` for a printed ``5.20``).
    """

    def __init__(self, endpoint: str, timeout_s: int = DEFAULT_TIMEOUT_S,
                 default_graphs: Sequence[str] = (), auth: Credentials | None = None,
                 max_bytes: int = transport.MAX_RESPONSE_BYTES) -> None:
        transport.check_url(endpoint)
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self.default_graphs = tuple(default_graphs)
        self.auth = auth
        self.max_bytes = max_bytes

    def select(self, query: str, bindings: Mapping[str, Binding]) -> ResultTable:
        form = [("query", with_values(query, bindings))] + [("default-graph-uri", g) for g in self.default_graphs]
        response = transport.request(
            "POST", self.endpoint, self.timeout_s, body=urllib.parse.urlencode(form).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_ACCEPT},
            authorization=self.auth.header() if self.auth is not None else None, max_bytes=self.max_bytes)
        if response.status == 401:
            raise EndpointError(f"the endpoint {self.endpoint} refused access (HTTP 401): {_login_hint(self.auth)}")
        if response.status == 400:
            raise QueryError(f"the endpoint {self.endpoint} rejected the query: {_body(response.body)}")
        if response.status != 200:
            raise EndpointError(f"the endpoint {self.endpoint} failed: HTTP {response.status} {_body(response.body)}")
        table = parse_results(response)
        return ResultTable(table.columns, tuple(tuple(portable(term) for term in row) for row in table.rows))


def run_remote(name: str, params: Params, endpoint: str, graph: str | None = None,
               timeout_s: int = DEFAULT_TIMEOUT_S, auth: Credentials | None = None) -> ResultTable:
    """Run the named query ``name`` on a remote endpoint; labels in ``params`` are resolved there too."""
    from vexas_kg.graph.query.named import run_named

    return run_named(name, params, RemoteEngine(endpoint, timeout_s, (graph,) if graph else (), auth))


def holds_data(engine: "RemoteEngine") -> bool:
    """Whether the graph the engine queries (its default graph, or the graphs it names) holds vexas-kg data."""
    from vexas_kg.queries import read_query_text

    return bool(engine.select(read_query_text("_has-data.rq"), {}).rows)


def no_data_message(engine: "RemoteEngine") -> str:
    """What to tell a user whose remote query found nothing because the data is elsewhere."""
    from vexas_kg.graph.query.named import NO_DATA_HINT

    where = (f"the graph{'s' if len(engine.default_graphs) > 1 else ''} {', '.join(engine.default_graphs)}"
             if engine.default_graphs else "the default graph")
    hint = NO_DATA_HINT if not engine.default_graphs else "; check the IRI given to --graph"
    return f"{where} of {engine.endpoint} holds no vexas-kg data{hint}"


def parse_results(response: transport.Response) -> ResultTable:
    """SPARQL 1.1 SELECT results from an answer in JSON or XML (XML read with entities and DTDs refused)."""
    if response.content_type in ("application/sparql-results+xml", "application/xml", "text/xml"):
        return results_from_xml(response.body)
    if response.content_type not in ("application/sparql-results+json", "application/json"):
        raise EndpointError(f"the endpoint answered {response.content_type or 'without a Content-Type'}, "
                            "not SPARQL results (JSON or XML)")
    try:
        answer = json.loads(response.body)
    except RecursionError:
        raise EndpointError("the endpoint's JSON answer is nested too deeply to be SPARQL results") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise EndpointError(f"the endpoint's answer is not JSON: {transport.one_line(exc)}") from None
    return results_from_json(answer)


def results_from_json(answer: object) -> ResultTable:
    """A :class:`ResultTable` from SPARQL 1.1 Query Results JSON (terms exactly as the endpoint sent them)."""
    if isinstance(answer, dict) and "boolean" in answer:
        raise QueryError("only SELECT queries can be run here, not ASK")
    if not isinstance(answer, dict) or "head" not in answer or "results" not in answer:
        raise EndpointError("the endpoint did not return SPARQL JSON results for a SELECT")
    try:
        columns = tuple(str(c) for c in answer["head"].get("vars", []))
        rows = []
        for binding in answer["results"].get("bindings", []):
            rows.append(tuple(term_from_json(binding[c]) if c in binding else None for c in columns))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise EndpointError(f"the endpoint's SPARQL JSON results are malformed: {transport.one_line(exc)}") from None
    return ResultTable(columns, tuple(rows))


def results_from_xml(body: bytes) -> ResultTable:
    """A :class:`ResultTable` from SPARQL Query Results XML, parsed with DTDs and entities refused."""
    try:
        root = defused_et.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise EndpointError(f"the endpoint's XML answer was refused ({type(exc).__name__}): it declares a DTD or "
                            "entities, which are never expanded") from None
    except (ET.ParseError, ValueError) as exc:
        raise EndpointError(f"the endpoint's answer is not XML: {transport.one_line(exc)}") from None
    ns = "{http://www.w3.org/2005/sparql-results#}"
    if root.find(f"{ns}boolean") is not None:
        raise QueryError("only SELECT queries can be run here, not ASK")
    if root.tag != f"{ns}sparql" or root.find(f"{ns}results") is None:
        raise EndpointError("the endpoint did not return SPARQL XML results for a SELECT")
    columns = tuple(v.get("name", "") for v in root.iterfind(f"{ns}head/{ns}variable"))
    rows = []
    for result in root.iterfind(f"{ns}results/{ns}result"):
        terms: dict[str, Identifier] = {}
        for binding in result.iterfind(f"{ns}binding"):
            term = next(iter(binding), None)
            if term is None:
                raise EndpointError("the endpoint's SPARQL XML results are malformed: an empty binding")
            kind = term.tag[len(ns):]
            value = {"type": "literal" if kind == "literal" else kind, "value": term.text or ""}
            if term.get("datatype"):
                value["datatype"] = term.get("datatype", "")
            if term.get("{http://www.w3.org/XML/1998/namespace}lang"):
                value["xml:lang"] = term.get("{http://www.w3.org/XML/1998/namespace}lang", "")
            terms[binding.get("name", "")] = term_from_json(value)
        rows.append(tuple(terms.get(c) for c in columns))
    return ResultTable(columns, tuple(rows))


def term_from_json(value: Mapping[str, str]) -> Identifier:
    """One RDF term from its SPARQL JSON form, as the endpoint sent it."""
    try:
        return results.term_from_json(value)
    except ValueError as exc:
        raise EndpointError(str(exc)) from None


def canonical_hash(graph: Graph) -> str:
    """SHA-256 of the graph's canonical N-Triples (blank nodes canonically renamed; numbers in canonical value form)."""
    folded = fold_numbers(graph)
    if any(isinstance(term, BNode) for triple in folded for term in triple):
        folded = to_canonical_graph(folded)
    return hashlib.sha256(to_ntriples(folded).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PushReport:
    """What ``push`` verified."""

    store_url: str
    graph: str
    triples: int
    hash: str
    exact: bool
    replaced: int | None

    def text(self) -> str:
        before = "a new graph" if self.replaced is None else f"replacing {self.replaced} triples"
        lines = [f"pushed {self.triples} triples to <{self.graph}> at {self.store_url} ({before})",
                 f"read back: {self.triples} triples, canonical hash {self.hash} (matches)"]
        if not self.exact:
            lines.append("note: the store keeps numbers by value, not as printed (xsd:nonNegativeInteger and "
                         "xsd:positiveInteger come back as xsd:integer, 5.20 as 5.2); every value is identical")
        return "\n".join(lines)


def _graph_url(store_url: str, graph: str) -> str:
    separator = "&" if urllib.parse.urlsplit(store_url).query else "?"
    return f"{store_url}{separator}{urllib.parse.urlencode({'graph': graph})}"


def _request(method: str, url: str, timeout_s: int, body: bytes | None = None,
             headers: Mapping[str, str] | None = None, auth: Credentials | None = None) -> tuple[int, bytes]:
    response = transport.request(method, url, timeout_s, body=body, headers=headers,
                                 authorization=auth.header() if auth is not None else None)
    if response.status == 401:
        raise EndpointError(f"{method} {url} was refused (HTTP 401): {_login_hint(auth)}")
    return response.status, response.body


def fetch_graph(store_url: str, graph: str, timeout_s: int = DEFAULT_TIMEOUT_S,
                auth: Credentials | None = None) -> Graph | None:
    """The named graph as the store holds it (Graph Store Protocol GET), or None if it does not exist."""
    status, body = _request("GET", _graph_url(store_url, graph), timeout_s, headers={"Accept": NTRIPLES}, auth=auth)
    if status == 404:
        return None
    if status != 200:
        raise EndpointError(f"GET of graph <{graph}> failed: HTTP {status} {_body(body)}")
    try:
        return Graph().parse(data=body.decode("utf-8"), format="nt")
    except Exception as exc:  # rdflib raises several unrelated types for syntax errors
        raise EndpointError(f"the store returned graph <{graph}> in a form that is not N-Triples: {transport.one_line(exc)}") from None


def put_graph(store_url: str, graph: str, content: Graph, timeout_s: int = DEFAULT_TIMEOUT_S,
              auth: Credentials | None = None) -> None:
    """Replace the named graph (Graph Store Protocol PUT of N-Triples)."""
    status, body = _request("PUT", _graph_url(store_url, graph), timeout_s, body=to_ntriples(content).encode("utf-8"),
                            headers={"Content-Type": NTRIPLES}, auth=auth)
    if status not in (200, 201, 204):
        raise EndpointError(f"PUT of graph <{graph}> failed: HTTP {status} {_body(body)}")


def delete_graph(store_url: str, graph: str, timeout_s: int = DEFAULT_TIMEOUT_S,
                 auth: Credentials | None = None) -> None:
    """Remove the named graph (Graph Store Protocol DELETE); a missing graph is fine."""
    status, body = _request("DELETE", _graph_url(store_url, graph), timeout_s, auth=auth)
    if status not in (200, 202, 204, 404):
        raise EndpointError(f"DELETE of graph <{graph}> failed: HTTP {status} {_body(body)}")


def push(graph: Graph, store_url: str, graph_iri: str = str(DEFAULT_GRAPH),
         timeout_s: int = DEFAULT_TIMEOUT_S, auth: Credentials | None = None) -> PushReport:
    """Replace ``graph_iri`` on the store with ``graph``; verify by reading it back, or restore the old graph."""
    old = fetch_graph(store_url, graph_iri, timeout_s, auth)
    expected = canonical_hash(graph)
    try:
        put_graph(store_url, graph_iri, graph, timeout_s, auth)
        back = fetch_graph(store_url, graph_iri, timeout_s, auth)
        got = 0 if back is None else len(back)
        got_hash = canonical_hash(back) if back is not None else canonical_hash(Graph())
        if got != len(graph) or got_hash != expected:
            raise EndpointError(f"read-back of <{graph_iri}> does not match: sent {len(graph)} triples "
                                f"(hash {expected[:16]}), read {got} (hash {got_hash[:16]}); "
                                f"{differences(graph, back if back is not None else Graph())}")
    except EndpointError as failure:
        raise EndpointError(f"push failed: {failure}; {_restore(store_url, graph_iri, old, timeout_s, auth)}") from None
    exact = to_ntriples(back) == to_ntriples(graph)
    return PushReport(store_url, graph_iri, len(graph), expected, exact, None if old is None else len(old))


def differences(sent: Graph, back: Graph, shown: int = 3) -> str:
    """The first few triples the store changed on the way in (sent one way, read back another), in N-Triples.

    Numbers are compared by value (as the hash does), so only real changes show; a
    store that rewrites literals (Virtuoso, for one) is named by what it rewrote.
    """
    sent_lines = set(to_ntriples(fold_numbers(sent)).splitlines())
    back_lines = set(to_ntriples(fold_numbers(back)).splitlines())
    missing, added = sorted(sent_lines - back_lines), sorted(back_lines - sent_lines)
    if any(isinstance(term, BNode) for triple in sent for term in triple) and len(missing) == len(added):
        return "the store renamed or changed blank nodes"
    parts = []
    if missing:
        parts.append(f"{len(missing)} sent triples did not come back, first: " + " | ".join(missing[:shown]))
    if added:
        parts.append(f"{len(added)} came back that were not sent, first: " + " | ".join(added[:shown]))
    return "; ".join(parts) or "the triples are equal but the hash differs"


def _restore(store_url: str, graph_iri: str, old: Graph | None, timeout_s: int, auth: Credentials | None) -> str:
    """Put the previous graph back and say whether that worked."""
    try:
        now = fetch_graph(store_url, graph_iri, timeout_s, auth)
        if _same(now, old):
            return f"the old graph is unchanged ({_size(old)})"
        if old is None:
            delete_graph(store_url, graph_iri, timeout_s, auth)
        else:
            put_graph(store_url, graph_iri, old, timeout_s, auth)
        if _same(fetch_graph(store_url, graph_iri, timeout_s, auth), old):
            return f"the old graph was restored ({_size(old)})"
        return f"WARNING: could not restore the old graph ({_size(old)}); it now differs"
    except EndpointError as exc:
        return f"WARNING: could not check or restore the old graph ({_size(old)}): {exc}"


def _same(a: Graph | None, b: Graph | None) -> bool:
    if a is None or b is None:
        return (a is None or len(a) == 0) and (b is None or len(b) == 0)
    return len(a) == len(b) and canonical_hash(a) == canonical_hash(b)


def _size(graph: Graph | None) -> str:
    return "it did not exist" if graph is None else f"{len(graph)} triples"


def _login_hint(auth: Credentials | None) -> str:
    if auth is None:
        return "the store wants a login; give --user (password in $VEXAS_KG_PASSWORD) or a netrc entry for its host"
    return f"the store did not accept the login of user {auth.user!r}"


def _body(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").strip()[:300]
