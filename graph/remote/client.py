"""Talk to any SPARQL 1.1 store: SELECT through SPARQLWrapper, and replace a graph with the Graph Store Protocol.

Only the two W3C protocols are used, so the same code works with Oxigraph,
Virtuoso, GraphDB, Jena Fuseki or QLever (see docs/serving.md for their URLs).

``push`` replaces one named graph with an HTTP ``PUT``, reads it back with ``GET``
and compares triple count and canonical hash. On any failure the previous content
of the graph is put back (or the graph deleted, if it did not exist) and checked,
and the error says what happened to it.
"""

from __future__ import annotations

import hashlib
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Mapping, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Identifier
from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException, Unauthorized

from vexas_kg.errors import EndpointError, QueryError
from vexas_kg.graph.remote.credentials import Credentials
from vexas_kg.graph.query.engine import Binding, ResultTable
from vexas_kg.graph.query.named import Params, portable
from vexas_kg.graph.store.serialize import to_ntriples
from vexas_kg.graph.query.sparql_text import with_values
from vexas_kg.graph.store.oxigraph import fold_numbers

DEFAULT_TIMEOUT_S = 30
DEFAULT_GRAPH = URIRef("https://w3id.org/vexas-kg/id/graph/vexas-kg")
NTRIPLES = "application/n-triples"


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
                 default_graphs: Sequence[str] = (), auth: Credentials | None = None) -> None:
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self.default_graphs = tuple(default_graphs)
        self.auth = auth

    def select(self, query: str, bindings: Mapping[str, Binding]) -> ResultTable:
        client = SPARQLWrapper(self.endpoint)
        client.setTimeout(self.timeout_s)
        client.setMethod(POST)
        client.setOnlyConneg(True)
        client.setReturnFormat(JSON)
        for graph in self.default_graphs:
            client.addDefaultGraph(graph)
        if self.auth is not None:
            client.setCredentials(self.auth.user, self.auth.password)
        client.setQuery(with_values(query, bindings))
        client.queryType = SELECT  # only SELECTs are sent; SPARQLWrapper's guess can misread a comment or string
        try:
            answer = client.queryAndConvert()
        except QueryBadFormed as exc:
            raise QueryError(f"the endpoint {self.endpoint} rejected the query: {_short(exc)}") from None
        except Unauthorized:
            raise EndpointError(f"the endpoint {self.endpoint} refused access (HTTP 401): {_login_hint(self.auth)}") from None
        except (SPARQLWrapperException, urllib.error.URLError, socket.timeout, TimeoutError, OSError) as exc:
            raise EndpointError(f"the endpoint {self.endpoint} failed: {_short(exc)}") from None
        table = results_from_json(answer)
        return ResultTable(table.columns, tuple(tuple(portable(term) for term in row) for row in table.rows))


def run_remote(name: str, params: Params, endpoint: str, graph: str | None = None,
               timeout_s: int = DEFAULT_TIMEOUT_S, auth: Credentials | None = None) -> ResultTable:
    """Run the named query ``name`` on a remote endpoint; labels in ``params`` are resolved there too."""
    from vexas_kg.graph.query.named import run_named

    return run_named(name, params, RemoteEngine(endpoint, timeout_s, (graph,) if graph else (), auth))


def results_from_json(answer: object) -> ResultTable:
    """A :class:`ResultTable` from SPARQL 1.1 Query Results JSON (terms exactly as the endpoint sent them)."""
    if isinstance(answer, dict) and "boolean" in answer:
        raise QueryError("only SELECT queries can be run here, not ASK")
    if not isinstance(answer, dict) or "head" not in answer or "results" not in answer:
        raise EndpointError("the endpoint did not return SPARQL JSON results for a SELECT")
    columns = tuple(answer["head"].get("vars", []))
    rows = []
    for binding in answer["results"].get("bindings", []):
        rows.append(tuple(term_from_json(binding[c]) if c in binding else None for c in columns))
    return ResultTable(columns, tuple(rows))


def term_from_json(value: Mapping[str, str]) -> Identifier:
    """One RDF term from its SPARQL JSON form."""
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        return Literal(value["value"], lang=value.get("xml:lang"),
                       datatype=URIRef(value["datatype"]) if value.get("datatype") else None)
    raise EndpointError(f"unknown term type in the results: {kind!r}")


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
    sent = dict(headers or {})
    if auth is not None:
        sent["Authorization"] = auth.header()
    request = urllib.request.Request(url, data=body, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise EndpointError(f"{method} {url} was refused (HTTP 401): {_login_hint(auth)}") from None
        return exc.code, exc.read()
    except (urllib.error.URLError, socket.timeout, TimeoutError, OSError) as exc:
        raise EndpointError(f"{method} {url} failed: {_short(exc)}") from None


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
        raise EndpointError(f"the store returned graph <{graph}> in a form that is not N-Triples: {_short(exc)}") from None


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


def _short(exc: BaseException) -> str:
    """The error's message on one line (with the endpoint's own explanation, when it sent one)."""
    text = " ".join(str(exc).split())
    return text[:400] if text else type(exc).__name__


def _body(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").strip()[:300]
