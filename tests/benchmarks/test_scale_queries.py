"""The scale benchmark measures the queries in a process of their own, which loads the build's
N-Triples: that process must give the answers of the engine the build loads in process."""

from __future__ import annotations

from vexas_kg.graph.query.named import named, printed_forms, run_query
from vexas_kg.graph.query.trail import render, trace
from vexas_kg.graph.store.serialize import to_ntriples

from scale import fixed_figure, queries_apart  # noqa: E402 (benchmarks/ is on the path: conftest.py)


def test_the_query_process_answers_as_the_build_process(corpora) -> None:
    build, engine, labels = corpora[3]
    figure = fixed_figure(build)
    cases = [("evidence-overview", {}, False), ("provenance-trail", {"item": figure}, True),
             ("comparisons", {"limit": "all"}, False), ("trace", {"item": figure}, True)]
    measured = queries_apart(to_ntriples(build.triples), printed_forms(build.graph), cases, 60.0, 4000.0)
    expected = [len(run_query(named(name), params, engine, labels).rows) for name, params, _ in cases[:3]]
    expected.append(len(render(trace(figure, engine, labels)).splitlines()))
    assert [(q["name"], q["params"], q.get("error")) for q in measured] == [(n, p, None) for n, p, _ in cases]
    assert [q["rows"] for q in measured] == expected
    assert all(q["ms"] > 0 for q in measured)


def test_a_graph_that_does_not_load_is_reported_per_case() -> None:
    measured = queries_apart("this is not N-Triples\n", {}, [("evidence-overview", {}, False)] * 2, 60.0, 4000.0)
    assert len(measured) == 2
    assert all("error" in q and "rows" not in q for q in measured)
    assert "SyntaxError" in measured[0]["error"]
