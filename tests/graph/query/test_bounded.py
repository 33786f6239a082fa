"""In-process queries under a deadline and a memory bound (a cartesian product shows both)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from vexas_kg.errors import QueryError
from vexas_kg.graph.query.bounded import run_bounded
from vexas_kg.graph.query.named import OxigraphEngine

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HUNGRY = "SELECT ?a ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


def test_a_cartesian_query_is_stopped_at_its_deadline(built) -> None:
    engine = OxigraphEngine.from_graph(built.graph)
    started = time.monotonic()
    with pytest.raises(QueryError, match="longer than 2 s"):
        run_bounded(lambda: engine.select(CARTESIAN, {}), timeout_s=2)
    assert time.monotonic() - started < 3


def test_a_query_past_its_memory_bound_is_stopped(built) -> None:
    engine = OxigraphEngine.from_graph(built.graph)
    with pytest.raises(QueryError, match="more than 200 MiB"):
        run_bounded(lambda: engine.select(HUNGRY, {}), timeout_s=60, memory_mb=200)


def test_results_and_errors_come_back(built) -> None:
    engine = OxigraphEngine.from_graph(built.graph)
    table = run_bounded(lambda: engine.select("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", {}))
    assert int(table.rows[0][0]) == len(built.graph)
    with pytest.raises(QueryError, match="does not parse"):
        run_bounded(lambda: engine.select("SELEKT", {}))


@pytest.mark.slow
def test_cli_query_file_stops_a_cartesian_product_and_refuses_service(tmp_path: Path) -> None:
    heavy = tmp_path / "heavy.rq"
    heavy.write_text(CARTESIAN + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "vexas_kg.cli", "query", "--file", str(heavy), "--timeout", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3 and "longer than 2 s" in done.stderr
    service = tmp_path / "service.rq"
    service.write_text("PREFIX : <http://127.0.0.1:9/>\nSELECT * WHERE { SERVICE:x { ?s ?p ?o } }\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "vexas_kg.cli", "query", "--file", str(service)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3 and "SERVICE is refused" in done.stderr
