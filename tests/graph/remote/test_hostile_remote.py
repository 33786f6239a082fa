"""Hostile stores, on real loopback servers: redirects to another origin, trickling answers, huge and
deeply nested answers, XML entity bombs, and malformed endpoint URLs."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from vexas_kg.cli import main
from vexas_kg.errors import EndpointError, UsageError
from vexas_kg.graph.remote.client import RemoteEngine, fetch_graph, push
from vexas_kg.graph.remote.credentials import Credentials

ALICE = Credentials("alice", "s3cret")
EMPTY_RESULTS = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"ok"}}]}}'


@contextmanager
def server(answer: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A loopback HTTP server on a free port whose every request is answered by ``answer``."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            try:
                answer(self)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str, **headers: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def redirecting_to(target: str, code: int) -> Iterator[str]:
    with server(lambda h: send(h, code, b"", "text/plain", Location=f"{target}{h.path}")) as url:
        yield url


def small_graph() -> Graph:
    graph = Graph()
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("1")))
    return graph


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_no_request_or_login_follows_a_redirect_to_another_origin(code: int, sentinel) -> None:
    """Before: push sent ``Authorization: Basic`` to the redirect target for all 5 codes."""
    with redirecting_to(sentinel.url, code) as store:
        with pytest.raises(EndpointError, match=rf"redirected \(HTTP {code}\) to {sentinel.url}/.*another origin"):
            push(small_graph(), f"{store}/store", "https://example.org/g", 5, ALICE)
        with pytest.raises(EndpointError, match=rf"redirected \(HTTP {code}\) to {sentinel.url}/.*another origin"):
            RemoteEngine(f"{store}/query", 5, auth=ALICE).select("SELECT ?x {}", {})
    assert sentinel.requests == []


@pytest.mark.parametrize("target", ["https://127.0.0.1:{port}", "http://localhost:{port}", "ftp://127.0.0.1:{port}"])
def test_a_redirect_to_another_scheme_or_host_is_refused(target: str, sentinel) -> None:
    port = sentinel.url.rsplit(":", 1)[1]
    with redirecting_to(target.format(port=port), 302) as store:
        with pytest.raises(EndpointError, match="another origin"):
            RemoteEngine(f"{store}/query", 5, auth=ALICE).select("SELECT ?x {}", {})
    assert sentinel.requests == []


def test_cli_push_refuses_a_redirect_with_the_login(sentinel) -> None:
    with redirecting_to(sentinel.url, 307) as store:
        result = CliRunner(env={"VEXAS_KG_PASSWORD": "s3cret"}).invoke(
            main, ["push", "--endpoint", f"{store}/store", "--user", "alice", "--timeout", "5"])
    assert result.exit_code == 4 and "another origin" in result.output, result.output
    assert sentinel.requests == []


def test_a_redirect_within_the_origin_is_followed_with_the_login() -> None:
    seen: list[tuple[str, str | None]] = []

    def answer(handler: BaseHTTPRequestHandler) -> None:
        seen.append((handler.path, handler.headers.get("Authorization")))
        if handler.path == "/old":
            send(handler, 307, b"", "text/plain", Location="/new")
        else:
            send(handler, 200, EMPTY_RESULTS, "application/sparql-results+json")

    with server(answer) as url:
        table = RemoteEngine(f"{url}/old", 5, auth=ALICE).select("SELECT ?x {}", {})
    assert table.rows == ((Literal("ok"),),)
    assert seen == [("/old", ALICE.header()), ("/new", ALICE.header())]


def trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    for _ in range(60):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(2)


def trickle_headers(handler: BaseHTTPRequestHandler) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 100:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(2)


@pytest.mark.parametrize("answer", [trickle, trickle_headers], ids=["body", "headers"])
def test_the_timeout_is_a_deadline_for_the_whole_answer(answer) -> None:
    """Before: a store sending one byte every 2 s kept ``--timeout 5`` running past 90 s."""
    with server(answer) as url:
        for call in (lambda: RemoteEngine(f"{url}/query", 5).select("SELECT ?x {}", {}),
                     lambda: fetch_graph(f"{url}/store", "https://example.org/g", 5)):
            started = time.monotonic()
            with pytest.raises(EndpointError, match="no complete answer within 5 s"):
                call()
            assert time.monotonic() - started < 6.0


def test_cli_query_endpoint_timeout_is_a_deadline() -> None:
    with server(trickle) as url:
        started = time.monotonic()
        result = CliRunner().invoke(main, ["query", "citation-audit", "--endpoint", f"{url}/query", "--timeout", "3"])
        assert time.monotonic() - started < 4.5
    assert result.exit_code == 4 and "no complete answer within 3 s" in result.output, result.output


@pytest.mark.parametrize("with_length", [True, False])
def test_an_answer_over_the_size_limit_is_refused(with_length: bool) -> None:
    body = b'{"head":{"vars":[]},"results":{"bindings":[' + b"{}," * 5000 + b"{}]}}"

    def answer(handler: BaseHTTPRequestHandler) -> None:
        if with_length:
            send(handler, 200, body, "application/sparql-results+json")
        else:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/sparql-results+json")
            handler.end_headers()
            handler.wfile.write(body)
            handler.close_connection = True

    with server(answer) as url:
        with pytest.raises(EndpointError, match="limit of 1000"):
            RemoteEngine(f"{url}/query", 5, max_bytes=1000).select("SELECT ?x {}", {})
        assert len(RemoteEngine(f"{url}/query", 5).select("SELECT ?x {}", {}).rows) == 5001


XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/></head>
<results><result><binding name="x"><literal>&lol4;</literal></binding></result></results></sparql>"""


def test_xml_answers_are_read_with_entities_refused(sentinel) -> None:
    external = XML_BOMB.replace(b'<!ENTITY lol "lol">', f'<!ENTITY lol SYSTEM "{sentinel.url}/x">'.encode())
    for body in (XML_BOMB, external):
        with server(lambda h: send(h, 200, body, "application/sparql-results+xml")) as url:
            with pytest.raises(EndpointError, match="XML answer was refused"):
                RemoteEngine(f"{url}/query", 5).select("SELECT ?x {}", {})
    assert sentinel.requests == []


def test_plain_xml_results_are_read() -> None:
    body = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            b'<variable name="x"/><variable name="y"/></head><results><result><binding name="x">'
            b'<literal datatype="http://www.w3.org/2001/XMLSchema#decimal">5.20</literal></binding>'
            b'<binding name="y"><uri>https://example.org/a</uri></binding></result></results></sparql>')
    with server(lambda h: send(h, 200, body, "application/sparql-results+xml")) as url:
        table = RemoteEngine(f"{url}/query", 5).select("SELECT ?x ?y {}", {})
    assert table.columns == ("x", "y") and table.rows[0][1] == URIRef("https://example.org/a")


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000,
                                  b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":' + b"[" * 50_000 + b"]" * 50_000
                                  + b"}]}}",
                                  b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":"not a term"}]}}',
                                  b'{"head":[],"results":7}'])
def test_deep_or_malformed_json_answers_are_refused_with_a_message(body: bytes) -> None:
    with server(lambda h: send(h, 200, body, "application/sparql-results+json")) as url:
        with pytest.raises(EndpointError, match="nested too deeply|malformed|did not return"):
            RemoteEngine(f"{url}/query", 5).select("SELECT ?x {}", {})


@pytest.mark.parametrize("url", ["not-a-url", "file:///etc/passwd#", "ftp://127.0.0.1/x", "http:///no-host",
                                 "http://127.0.0.1:99999/q", "http://[::1/q", "http://user:pw@127.0.0.1/q",
                                 "http://127.0.0.1/a b"])
def test_a_malformed_endpoint_url_is_a_usage_error(url: str) -> None:
    """Before: ``not-a-url`` gave a traceback; ``file:///PATH#`` read a local file and printed its start."""
    for args in (["query", "citation-audit", "--endpoint", url], ["push", "--endpoint", url]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "error: the endpoint URL" in result.output and "root:" not in result.output, result.output
    with pytest.raises(UsageError):
        RemoteEngine(url)


def test_the_netrc_login_goes_only_to_its_host(tmp_path, sentinel) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\n")
    os.chmod(netrc, 0o600)
    with redirecting_to(sentinel.url.replace("127.0.0.1", "localhost"), 302) as store:
        result = CliRunner(env={"NETRC": str(netrc)}).invoke(
            main, ["query", "citation-audit", "--endpoint", f"{store}/query", "--timeout", "5"])
    assert result.exit_code == 4 and "another origin" in result.output, result.output
    assert sentinel.requests == []
