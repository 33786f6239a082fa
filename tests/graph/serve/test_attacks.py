"""The attack corpus (attacks.json): each request is refused with its status, and the sentinel sees nothing."""

from __future__ import annotations

import gzip
import json
import urllib.parse
import zlib
from pathlib import Path

import pytest

from vexas_kg.errors import QueryError
from vexas_kg.graph.query.named import OxigraphEngine, RdflibEngine
from vexas_kg.graph.query.readonly import check_query

pytestmark = pytest.mark.slow
ATTACKS = json.loads(Path(__file__).with_name("attacks.json").read_text(encoding="utf-8"))["attacks"]


def render(attack: dict, port: int, sentinel_url: str) -> bytes:
    """The attack as the bytes of one HTTP/1.1 request."""
    fill = lambda text: text.replace("{S}", sentinel_url)  # noqa: E731
    target = fill(attack.get("path", "/query"))
    query = fill(attack["raw_query"]) if "raw_query" in attack else \
        urllib.parse.urlencode([(k, fill(v)) for k, v in attack.get("params", [])])
    if query:
        target += ("&" if "?" in target else "?") + query
    if "form" in attack:
        body = urllib.parse.urlencode([(k, fill(v)) for k, v in attack["form"]]).encode()
    else:
        body = fill(attack.get("body", "")).encode("utf-8", "surrogateescape")
    if attack.get("encode") == "gzip":
        body = gzip.compress(body)
    elif attack.get("encode") == "deflate":
        body = zlib.compress(body)
    omit = set(attack.get("omit", []))
    lines = [f"{attack['method']} {target} HTTP/1.1"]
    if "Host" not in omit:
        lines.append(f"Host: 127.0.0.1:{port}")
    lines += [f"{name}: {fill(value)}" for name, value in attack.get("headers", [])]
    lines.append("Connection: close")
    if attack.get("chunked"):
        lines.append("Transfer-Encoding: chunked")
        body = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    elif "Content-Length" not in omit and (body or attack["method"] == "POST"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def test_the_corpus_is_large_and_named_uniquely() -> None:
    assert len(ATTACKS) >= 30
    assert len({a["name"] for a in ATTACKS}) == len(ATTACKS)


def test_every_attack_is_refused_and_nothing_reaches_the_sentinel(server, sentinel, send_raw) -> None:
    wrong = []
    for attack in ATTACKS:
        status, answer = send_raw(server.port, render(attack, server.port, sentinel.url))
        if status != attack["expect"]:
            wrong.append(f"{attack['name']}: {status} (expected {attack['expect']}): {answer[-300:]!r}")
    assert not wrong, "\n".join(wrong)
    assert sentinel.requests == []
    status, answer = send_raw(server.port, render({"method": "GET", "params": [["query", "ASK {}"]]},
                                                   server.port, sentinel.url))
    assert status == 200, answer  # still serving


def test_the_sentinel_would_see_an_unchecked_service_call(sentinel) -> None:
    """The corpus proves something: pyoxigraph, unchecked, does call the sentinel."""
    import pyoxigraph as ox

    list(ox.Store().query(f"SELECT * {{ SERVICE <{sentinel.url}/sparql> {{ }} }}"))
    assert sentinel.requests


@pytest.mark.parametrize("engine_class", [OxigraphEngine, RdflibEngine])
def test_in_process_engines_refuse_every_network_query(built, sentinel, engine_class) -> None:
    engine = OxigraphEngine.from_graph(built.graph) if engine_class is OxigraphEngine else RdflibEngine(built.graph)
    texts = [dict(a["params"])["query"].replace("{S}", sentinel.url) for a in ATTACKS
             if a["method"] == "GET" and a.get("params") and a["params"][0][0] == "query" and len(a["params"]) == 1
             and a.get("expect") == 403]
    assert len(texts) >= 20
    for text in texts:
        with pytest.raises(QueryError):
            engine.select(text, {})
    assert sentinel.requests == []


def test_words_in_strings_iris_and_comments_are_fine() -> None:
    assert check_query('SELECT * { ?s ?p "SERVICE LOAD FROM" . ?s <http://x/SERVICE> ?o } # SERVICE <http://x/>')
