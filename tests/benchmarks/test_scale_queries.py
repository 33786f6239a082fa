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


def test_the_report_gives_growth_per_step_and_over_the_targets_range() -> None:
    """Issue 11 states its targets "from 30 to 3,000 documents": beside each step, the table gives the
    per-10× ratio over that whole range (the geometric mean of the steps), and only when it spans
    more than one step."""
    from scale import _table

    def case(ms: float) -> dict:
        return {"name": "q", "params": {}, "fixed": False, "ms": ms, "rows": 1}

    results = {n: {"queries": [case(ms)]} for n, ms in ((3, 5.0), (30, 10.0), (300, 80.0), (3000, 1620.0))}
    header, _, row = _table([3, 30, 300, 3000], results, "queries", "t", "n")[-3:]
    assert header.endswith("| 3→30 | 30→300 | 300→3000 | 30→3000 per 10× |")
    assert row == "| q | 5.0 ms, 1 rows | 10 ms, 1 rows | 80 ms, 1 rows | 1620 ms, 1 rows | 2.0× | 8.0× | 20.2× | 12.7× |"
    header, _, _ = _table([30, 300], {n: results[n] for n in (30, 300)}, "queries", "t", "n")[-3:]
    assert header.endswith("| 30→300 |")
