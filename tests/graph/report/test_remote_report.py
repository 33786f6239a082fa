"""The report from a remote store is the report from the in-process graph, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vexas_kg.cli import main
from vexas_kg.graph.builder.pipeline import checked_build
from vexas_kg.graph.remote.client import push
from vexas_kg.graph.report.report import Site

pytestmark = pytest.mark.slow
GRAPH = "https://w3id.org/vexas-kg/id/graph/report-test"


@pytest.fixture(scope="module")
def pushed(oxigraph_server) -> str:
    push(checked_build().graph, oxigraph_server.store_url, GRAPH)
    return oxigraph_server.query_url


def test_cli_report_from_an_endpoint_is_the_local_site(pushed: str, site: Site, tmp_path: Path) -> None:
    out = tmp_path / "remote"
    result = CliRunner().invoke(main, ["report", "--endpoint", pushed, "--graph", GRAPH, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"graph sha256 {site.graph_hash[:16]}" in result.output
    written = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert sorted(written) == sorted(site.files)
    differing = [name for name in site.files if written[name] != site.files[name]]
    assert not differing, differing[:5]


def test_a_forgotten_graph_is_explained_and_writes_nothing(pushed: str, tmp_path: Path) -> None:
    out = tmp_path / "remote"
    result = CliRunner().invoke(main, ["report", "--endpoint", pushed, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "--graph" in result.output
    assert not out.exists()
