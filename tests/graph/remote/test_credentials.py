"""Logins for remote stores: where credentials come from, and push and query through a store that wants one.

The store is the session's real Oxigraph server behind a small loopback proxy that
demands HTTP Basic authentication (as GraphDB or Fuseki do when secured) and passes
authenticated requests through unchanged.
"""

from __future__ import annotations

import base64
import http.client
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from vexas_kg.cli import main
from vexas_kg.errors import EndpointError, UsageError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.remote.credentials import Credentials, credentials_for, from_netrc, sent_in_clear
from vexas_kg.graph.remote.client import RemoteEngine, canonical_hash, fetch_graph, push
from vexas_kg.graph.serve.server import OxigraphServer

USER, PASSWORD = "curator", "s3cret:with colon"
GRAPH = "https://w3id.org/vexas-kg/id/graph/test-login"


@pytest.fixture()
def no_login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No password variable and an empty netrc, whatever the machine has."""
    monkeypatch.delenv("VEXAS_KG_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-such-netrc"))


def test_user_and_password_variable(monkeypatch: pytest.MonkeyPatch, no_login: None) -> None:
    monkeypatch.setenv("VEXAS_KG_PASSWORD", PASSWORD)
    auth = credentials_for("https://store.example.org/repo", USER)
    assert auth == Credentials(USER, PASSWORD)
    assert auth.header() == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert PASSWORD not in repr(auth)


def test_user_without_a_password_is_a_usage_error(no_login: None) -> None:
    with pytest.raises(UsageError, match="--user curator needs a password: set VEXAS_KG_PASSWORD"):
        credentials_for("https://store.example.org/repo", USER)


def test_netrc_entry_for_the_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_login: None) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine store.example.org login alice password one\ndefault login bob password two\n",
                    encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("NETRC", str(path))
    assert credentials_for("https://store.example.org:7200/repositories/r", None) == Credentials("alice", "one")
    assert credentials_for("https://other.example.org/sparql", None) == Credentials("bob", "two")
    assert from_netrc("https://x.example.org/", tmp_path / "absent") is None


def test_a_broken_netrc_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "netrc"
    path.write_text("machine\n", encoding="utf-8")
    with pytest.raises(UsageError, match=f"cannot read the netrc file {path}"):
        from_netrc("https://store.example.org/", path)


@pytest.mark.parametrize(("url", "clear"), [
    ("http://store.example.org/sparql", True), ("https://store.example.org/sparql", False),
    ("http://127.0.0.1:7878/store", False), ("http://localhost/store", False),
])
def test_plain_http_to_another_host_is_in_clear(url: str, clear: bool) -> None:
    assert sent_in_clear(url) is clear


class LoginProxy:
    """A loopback proxy that demands Basic authentication, then forwards to the Oxigraph server."""

    def __init__(self, backend: OxigraphServer) -> None:
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.refused: list[str] = []
        refused = self.refused

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                if self.headers.get("Authorization") != expected:
                    refused.append(f"{self.command} {urllib.parse.urlsplit(self.path).path}")
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="store"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization")}
                connection = http.client.HTTPConnection(backend.host, backend.port, timeout=60)
                connection.request(self.command, self.path, body=body or None, headers=headers)
                answer = connection.getresponse()
                payload = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                connection.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"


@pytest.fixture()
def proxy(oxigraph_server: OxigraphServer) -> Iterator[LoginProxy]:
    login = LoginProxy(oxigraph_server)
    login.thread.start()
    try:
        yield login
    finally:
        login.server.shutdown()
        login.server.server_close()


@pytest.mark.slow
def test_push_and_query_with_a_login(proxy: LoginProxy, built: Build) -> None:
    auth = Credentials(USER, PASSWORD)
    report = push(built.graph, proxy.store_url, GRAPH, auth=auth)
    assert report.hash == canonical_hash(built.graph)
    assert canonical_hash(fetch_graph(proxy.store_url, GRAPH, auth=auth)) == report.hash
    table = RemoteEngine(proxy.query_url, default_graphs=[GRAPH], auth=auth).select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {})
    assert int(table.rows[0][0]) == len(built.graph)
    assert proxy.refused == []


@pytest.mark.slow
def test_without_a_login_the_store_refuses_and_says_how_to_log_in(proxy: LoginProxy, built: Build) -> None:
    with pytest.raises(EndpointError, match=r"GET .* was refused \(HTTP 401\): the store wants a login; give --user"):
        push(built.graph, proxy.store_url, GRAPH)
    with pytest.raises(EndpointError, match=r"refused access \(HTTP 401\): the store did not accept the login"):
        RemoteEngine(proxy.query_url, auth=Credentials(USER, "wrong")).select("SELECT * WHERE { ?s ?p ?o }", {})
    assert proxy.refused == ["GET /store", "POST /query"]


@pytest.mark.slow
def test_cli_push_and_query_log_in(proxy: LoginProxy, built: Build, monkeypatch: pytest.MonkeyPatch,
                                   no_login: None) -> None:
    runner = CliRunner()
    refused = runner.invoke(main, ["push", "--endpoint", proxy.store_url, "--graph", GRAPH])
    assert refused.exit_code == 4
    assert "the store wants a login" in refused.output
    no_password = runner.invoke(main, ["push", "--endpoint", proxy.store_url, "--user", USER])
    assert no_password.exit_code == 2
    assert "--user curator needs a password" in no_password.output

    monkeypatch.setenv("VEXAS_KG_PASSWORD", PASSWORD)
    pushed = runner.invoke(main, ["push", "--endpoint", proxy.store_url, "--graph", GRAPH, "--user", USER])
    assert pushed.exit_code == 0, pushed.output
    assert f"canonical hash {canonical_hash(built.graph)} (matches)" in pushed.output
    counted = runner.invoke(main, ["query", "evidence-overview", "--endpoint", proxy.query_url, "--graph", GRAPH,
                                   "--user", USER, "--format", "csv"])
    assert counted.exit_code == 0, counted.output
    assert counted.output.startswith("dimension,entity,label,figures,claims,studies,documents")
    assert PASSWORD not in pushed.output + counted.output + refused.output
    local_only = runner.invoke(main, ["query", "evidence-overview", "--user", USER])
    assert local_only.exit_code == 2
    assert "error: --user belongs to --endpoint" in local_only.output
