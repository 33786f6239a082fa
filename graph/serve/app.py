"""The endpoint as an ASGI application: SPARQL 1.1 Protocol at ``/query``, named queries at ``/api``, a page at ``/``.

The HTTP server (uvicorn) parses each request once; this application reads that
parse (method, path, the raw header list, the body) and refuses anything it cannot
read one way only: a Content-Encoding other than identity, a chunked body, a header
that must appear once given twice, a body over the limit, text that is not UTF-8, a
parameter given twice. The query it decides on (see
:mod:`vexas_kg.graph.query.readonly`) is the exact text handed to a worker
(:mod:`vexas_kg.graph.serve.evaluator`), which runs it on its own in-memory store:
there is no other server and nothing is forwarded.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, Awaitable, Callable, Mapping

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from vexas_kg import model
from vexas_kg.errors import UsageError
from vexas_kg.graph.query.named import LabelIndex, plan
from vexas_kg.graph.query.paging import next_page
from vexas_kg.graph.query.readonly import Refused, check_query
from vexas_kg.graph.serve.evaluator import Failure, Limits, Pool
from vexas_kg.graph.serve.negotiation import GRAPHS, RESULTS, NotAcceptable, choose, content_type
from vexas_kg.queries import NamedQuery, catalog

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = "http://www.w3.org/ns/formats/"
SINGLE_HEADERS = (b"host", b"content-type", b"content-length", b"content-encoding", b"transfer-encoding",
                  b"accept", b"origin")
METHODS = "GET, HEAD, POST, OPTIONS"
RESULT_FORMAT_IRIS = {"application/sparql-results+json": "SPARQL_Results_JSON",
                      "application/sparql-results+xml": "SPARQL_Results_XML", "text/csv": "SPARQL_Results_CSV",
                      "text/tab-separated-values": "SPARQL_Results_TSV", "text/turtle": "Turtle",
                      "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD"}
FORMAT_PARAMETERS = ("format", "output", "results")
SHORT_NAMES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
               "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
               "ntriples": "application/n-triples", "nt": "application/n-triples", "jsonld": "application/ld+json",
               "json-ld": "application/ld+json"}
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}


@dataclass(frozen=True)
class Settings:
    """How the endpoint behaves; the CLI's options map onto these one to one."""

    timeout_s: float = 30.0
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    cors: bool = True
    allowed_hosts: frozenset[str] = frozenset({"127.0.0.1", "localhost"})
    max_body_bytes: int = 1024 * 1024
    body_timeout_s: float = 10.0


class Problem(Exception):
    """A request answered with an error status and a one-line plain-text reason."""

    def __init__(self, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.status = status
        self.message = message
        self.headers = headers
        super().__init__(message)


@dataclass
class Request:
    """The parts of one parsed HTTP request this application uses."""

    method: str
    path: str
    query_string: bytes
    headers: dict[str, str]
    body: bytes = b""


class EndpointApp:
    """The ASGI application; one per server process."""

    def __init__(self, ntriples: str, printed: Mapping[Literal, Literal], triples: int, labels: LabelIndex,
                 settings: Settings) -> None:
        self.settings = settings
        self.labels = labels
        self.triples = triples
        self.pool = Pool(ntriples, printed, settings.workers, settings.limits)
        self.queries = catalog()
        self.page = files("vexas_kg.graph.serve").joinpath("page.html").read_bytes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            request = self._request(scope)
            status, media, body, extra = await self._dispatch(request, receive)
        except Problem as problem:
            status, media, body = problem.status, "text/plain", (problem.message + "\n").encode("utf-8")
            extra = problem.headers
        await self._send(scope, send, status, media, body, extra)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.pool.start()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # ------------------------------------------------------------ reading the request

    def _request(self, scope: Scope) -> Request:
        seen: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            if name in seen and raw_name.lower() in SINGLE_HEADERS:
                raise Problem(400, f"the {name} header is given twice; send it once")
            try:
                value = raw_value.decode("ascii")
            except UnicodeDecodeError:
                raise Problem(400, f"the {name} header is not ASCII") from None
            seen[name] = f"{seen[name]}, {value}" if name in seen else value
        host = seen.get("host", "")
        if host.lower() not in self.settings.allowed_hosts:
            raise Problem(421, f"this server does not answer for host {host!r} (allowed: "
                               f"{', '.join(sorted(self.settings.allowed_hosts))}); see --allow-host")
        encoding = seen.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise Problem(415, f"Content-Encoding {encoding!r} is not accepted; send the body uncompressed")
        if "transfer-encoding" in seen:
            raise Problem(411, "chunked request bodies are not accepted; send a Content-Length")
        return Request(scope["method"], scope["path"], scope.get("query_string", b""), seen)

    async def _body(self, request: Request, receive: Receive) -> bytes:
        declared = request.headers.get("content-length", "0").strip() or "0"
        if not declared.isdigit():
            raise Problem(400, "Content-Length is not a number")
        if int(declared) > self.settings.max_body_bytes:
            raise Problem(413, f"the request body is larger than {self.settings.max_body_bytes} bytes")
        parts: list[bytes] = []
        size = 0

        async def read() -> None:
            nonlocal size
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise Problem(400, "the client went away")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.settings.max_body_bytes:
                    raise Problem(413, f"the request body is larger than {self.settings.max_body_bytes} bytes")
                parts.append(chunk)
                more = message.get("more_body", False)

        try:
            await asyncio.wait_for(read(), self.settings.body_timeout_s)
        except asyncio.TimeoutError:
            raise Problem(408, f"the request body did not arrive within {self.settings.body_timeout_s:g} s") from None
        return b"".join(parts)

    @staticmethod
    def _pairs(data: bytes, where: str) -> list[tuple[str, str]]:
        try:
            text = data.decode("ascii")
            return urllib.parse.parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise Problem(400, f"the {where} is not valid UTF-8 (percent-encoded)") from None
        except ValueError as exc:
            raise Problem(400, f"the {where} is malformed: {exc}") from None

    @staticmethod
    def _once(pairs: list[tuple[str, str]], allow_many: frozenset[str] = frozenset()) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for key, value in pairs:
            if key in found and key not in allow_many:
                raise Problem(400, f"the parameter {key!r} is given twice; give it once")
            found.setdefault(key, []).append(value)
        return found

    # ------------------------------------------------------------ routing

    async def _dispatch(self, request: Request, receive: Receive) -> tuple[int, str, bytes, tuple]:
        if request.method == "OPTIONS":
            return 204, "", b"", (("Allow", METHODS),)
        if request.method not in ("GET", "HEAD", "POST"):
            raise Problem(405, f"{request.method} is not supported here; this endpoint is read-only",
                          (("Allow", METHODS),))
        path = request.path
        if path == "/":
            self._only(request, ("GET", "HEAD"))
            return 200, "text/html", self.page, ()
        if path == "/query":
            return await self._query(request, receive)
        if path == "/api" or path == "/api/":
            self._only(request, ("GET", "HEAD"))
            return 200, "application/json", _json(self.listing()), ()
        if path == "/api/openapi.json":
            self._only(request, ("GET", "HEAD"))
            return 200, "application/json", _json(self.openapi()), ()
        if path.startswith("/api/"):
            self._only(request, ("GET", "HEAD"))
            return await self._named(request, path[len("/api/"):])
        if path in ("/update", "/store"):
            raise Problem(403, "this endpoint is read-only: there is no update or graph store service")
        raise Problem(404, f"nothing at {path}; the SPARQL endpoint is /query, the named queries are at /api")

    @staticmethod
    def _only(request: Request, methods: tuple[str, ...]) -> None:
        if request.method not in methods:
            raise Problem(405, f"{request.method} is not supported at {request.path}",
                          (("Allow", ", ".join(methods + ("OPTIONS",))),))

    async def _query(self, request: Request, receive: Receive) -> tuple[int, str, bytes, tuple]:
        params = self._pairs(request.query_string, "query string")
        if request.method == "POST":
            kind, _, rest = request.headers.get("content-type", "").partition(";")
            kind = kind.strip().lower()
            charset = _charset(rest)
            if charset not in ("", "utf-8", "utf8"):
                raise Problem(415, f"charset {charset!r} is not accepted; send UTF-8")
            body = await self._body(request, receive)
            if kind == "application/x-www-form-urlencoded":
                params += self._pairs(body, "form body")
            elif kind == "application/sparql-query":
                try:
                    params.append(("query", body.decode("utf-8", errors="strict")))
                except UnicodeDecodeError:
                    raise Problem(400, "the query is not valid UTF-8") from None
            elif kind == "application/sparql-update":
                raise Problem(403, "updates are refused: this endpoint is read-only")
            else:
                raise Problem(415, f"unsupported Content-Type {kind or '(none)'!r}; use "
                                   "application/sparql-query or application/x-www-form-urlencoded")
        found = self._once(params)
        if "update" in found:
            raise Problem(403, "updates are refused: this endpoint is read-only")
        if "default-graph-uri" in found or "named-graph-uri" in found:
            raise Problem(400, "default-graph-uri and named-graph-uri are not supported: this endpoint answers "
                               "from its one default graph")
        # Other parameters are ignored, as the protocol allows; format, output and results (sent by
        # SPARQLWrapper and other clients) name the media type and win over Accept.
        asked = {SHORT_NAMES.get(v.strip().lower(), v.strip().lower()) for k in FORMAT_PARAMETERS
                 for v in found.get(k, [])}
        if len(asked) > 1:
            raise Problem(400, f"format, output and results ask for different media types: {', '.join(sorted(asked))}")
        if "query" not in found:
            if request.method == "POST":
                raise Problem(400, "no query given")
            return self._service_description(request)
        text = found["query"][0]
        try:
            checked = check_query(text)
        except Refused as refused:
            raise Problem(refused.status, str(refused)) from None
        offered = RESULTS if checked.form in ("SELECT", "ASK") else GRAPHS
        wanted = next(iter(asked), None)
        if wanted == "application/sparql-results+json" and offered is GRAPHS:
            wanted = "application/ld+json"  # format=json for a graph: its JSON form
        media = self._negotiate(request, offered, wanted)
        body = await self._evaluate(("sparql", checked.text, media))
        return 200, media, body, (("Vary", "Accept"),)

    async def _named(self, request: Request, name: str) -> tuple[int, str, bytes, tuple]:
        named_query = self.queries.get(urllib.parse.unquote(name))
        if named_query is None:
            raise Problem(404, f"no named query {name!r}; GET /api lists them")
        many = frozenset(p.name for p in named_query.parameters if p.many)
        found = self._once(self._pairs(request.query_string, "query string"), many)
        params = {key: values[0] if len(values) == 1 else tuple(values) for key, values in found.items()}
        try:
            call = plan(named_query, params, self.labels)
        except UsageError as exc:
            raise Problem(400, str(exc).replace("--param ", "")) from None
        media = self._negotiate(request, RESULTS)
        body, rows = await self._evaluate(("table", call, media))
        return 200, media, body, (("Vary", "Accept"),) + _next_link(named_query.name, found, call.rows, rows)

    def _negotiate(self, request: Request, offered: tuple[str, ...], asked: str | None = None) -> str:
        """The media type to answer in: a ``format``/``output`` parameter (as SPARQLWrapper and links send) wins
        over Accept."""
        try:
            return choose(asked or request.headers.get("accept"), offered)
        except NotAcceptable as exc:
            raise Problem(406, str(exc)) from None

    async def _evaluate(self, work: tuple) -> Any:
        try:
            return await self.pool.run(work, self.settings.timeout_s)
        except Failure as failure:
            raise Problem(failure.status, failure.message) from None

    # ------------------------------------------------------------ descriptions

    def _service_description(self, request: Request) -> tuple[int, str, bytes, tuple]:
        media = self._negotiate(request, GRAPHS)
        own = URIRef(f"http://{request.headers.get('host', '127.0.0.1')}/query")
        graph = Graph()
        graph.bind("sd", SD)
        service = URIRef(f"{own}#service")
        graph.add((service, RDF.type, SD.Service))
        graph.add((service, SD.endpoint, own))
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
        for format_name in RESULT_FORMAT_IRIS.values():
            graph.add((service, SD.resultFormat, URIRef(FORMATS_NS + format_name)))
        dataset = URIRef(f"{own}#dataset")
        default = URIRef(f"{own}#default-graph")
        graph.add((service, SD.defaultDataset, dataset))
        graph.add((dataset, RDF.type, SD.Dataset))
        graph.add((dataset, SD.defaultGraph, default))
        graph.add((default, RDF.type, SD.Graph))
        graph.add((default, URIRef("http://rdfs.org/ns/void#triples"), Literal(self.triples)))
        body = graph.serialize(format=RDFLIB_FORMATS[media]).encode("utf-8")
        return 200, media, body, (("Vary", "Accept"),)

    def listing(self) -> dict:
        """``/api``: every named query with its question and parameters."""
        return {"service": "vexas-kg", "openapi": "/api/openapi.json", "sparql": "/query",
                "queries": [{"name": q.name, "url": f"/api/{q.name}", "title": q.title, "question": q.question,
                             "description": q.description,
                             "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                                             "default": p.default, "many": p.many, "description": p.description}
                                            for p in q.parameters]}
                            for q in self.queries.values()]}

    def openapi(self) -> dict:
        """An OpenAPI 3.0 description of ``/api``."""
        results = {media: {"schema": {"type": "string" if media.startswith("text/") else "object"}}
                   for media in RESULTS}
        errors = {code: {"description": text, "content": {"text/plain": {"schema": {"type": "string"}}}}
                  for code, text in (("400", "a parameter is unknown, missing, or names nothing in the graph"),
                                     ("406", "no offered media type fits Accept"),
                                     ("503", "the query ran past its deadline or memory limit and was stopped"))}
        paths: dict[str, Any] = {}
        for q in self.queries.values():
            paths[f"/api/{q.name}"] = {"get": {
                "operationId": q.name.replace("-", "_"), "summary": q.title, "description": q.description,
                "parameters": [_openapi_parameter(p) for p in q.parameters],
                "responses": {"200": {"description": "SPARQL 1.1 results", "content": results}, **errors}}}
        return {"openapi": "3.0.3",
                "info": {"title": "vexas-kg named queries", "version": "1",
                         "description": "Each named query of vexas-kg; labels, short ids and IRIs are accepted "
                                        "where a resource is expected, as on the command line."},
                "paths": paths}

    # ------------------------------------------------------------ answering

    async def _send(self, scope: Scope, send: Send, status: int, media: str, body: bytes,
                    extra: tuple[tuple[str, str], ...]) -> None:
        headers = [(b"content-length", str(len(body)).encode())]
        if media:
            headers.append((b"content-type", content_type(media).encode()))
        headers.append((b"x-content-type-options", b"nosniff"))
        headers.append((b"cache-control", b"no-store"))
        if self.settings.cors:
            headers.append((b"access-control-allow-origin", b"*"))
            headers.append((b"access-control-expose-headers", b"Link"))  # a page's next page, to a browser's script
            if scope["method"] == "OPTIONS":
                headers.append((b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"))
                headers.append((b"access-control-allow-headers", b"Accept, Content-Type"))
                headers.append((b"access-control-max-age", b"86400"))
        for name, value in extra:
            headers.append((name.lower().encode(), value.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def _openapi_parameter(parameter) -> dict:
    schema: dict[str, Any] = model.parameter_type(parameter.type).schema()
    if parameter.default is not None:
        number = schema.get("type") != "string" and parameter.default.isdigit()
        schema["default"] = int(parameter.default) if number else parameter.default
    if parameter.many:
        schema = {"type": "array", "items": schema}
    return {"name": parameter.name, "in": "query", "required": parameter.required, "schema": schema,
            "explode": True, "description": f"{parameter.description} ({parameter.type})"}


def _next_link(name: str, given: Mapping[str, list[str]], page: slice, rows: int) -> tuple[tuple[str, str], ...]:
    """A ``Link: <…>; rel="next"`` header (RFC 8288) after a full page, which may not be the answer's end:
    a client that reads the JSON results alone then still learns that there is more, and where."""
    following = next_page(page, rows)
    if following is None:
        return ()
    kept = [(key, value) for key, values in sorted(given.items()) if key not in model.PAGING for value in values]
    query = urllib.parse.urlencode([*kept, ("offset", str(following.start)),
                                    ("limit", str(following.stop - following.start))])
    return (("Link", f'</api/{urllib.parse.quote(name)}?{query}>; rel="next"'),)


def _charset(parameters: str) -> str:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""


def _json(document: object) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
