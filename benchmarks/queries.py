"""Benchmark: median in-process latency of every named query on the built graph.

Not a test: run it by hand (`.venv/bin/python benchmarks/queries.py`) after changing a
query; it rewrites the queries section of docs/benchmarks.md. Target: each named query
under 50 ms on pyoxigraph (the default engine of `vexas-kg query`), parameters bound
with substitutions. rdflib, the reference engine, is measured too, with fewer runs.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from typing import Callable

from report import write_section

TARGET_MS = 50.0
OXIGRAPH_RUNS = 50
RDFLIB_RUNS = 5
WARM_UP = 3
CASES: list[tuple[str, dict[str, str | tuple[str, ...]]]] = [
    ("alternatives-after-failure", {"drug": "ruxolitinib"}),
    ("citation-audit", {}),
    ("citation-audit", {"document": "000"}),
    ("comparative-efficacy", {}),
    ("comparative-efficacy", {"intervention": "JAK inhibitors"}),
    ("comparative-efficacy", {"outcome": "overall response", "timepoint": "P6M"}),
    ("contrasts", {}),
    ("evidence-gaps", {}),
    ("evidence-overview", {}),
    ("provenance-trail", {"item": "000:azacitidine-overall-response-6m"}),
    ("safety-profile", {"intervention": "tofacitinib"}),
    ("study-summary", {"study": "study/french-registry-targeted-therapies"}),
    ("treatment-for-presentation", {}),
    ("treatment-for-presentation", {"manifestation": "episcleritis"}),
    ("treatment-for-presentation", {"manifestation": ("episcleritis", "recurrent fever", "venous thromboembolism")}),
]


def timed(call: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of ``runs`` calls after a warm-up."""
    for _ in range(WARM_UP):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def once(call: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    value = call()
    return value, (time.perf_counter() - start) * 1000


def main() -> None:
    from vexas_kg.graph.builder.assemble import build_graph
    from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, RdflibEngine, named, prepare
    from vexas_kg.queries import catalog

    load_before = os.getloadavg()[0]
    build, build_ms = once(build_graph)
    oxigraph, store_ms = once(lambda: OxigraphEngine.from_graph(build.graph))
    labels, labels_ms = once(lambda: LabelIndex.from_engine(oxigraph))
    rdflib_engine = RdflibEngine(build.graph)
    assert {name for name, _ in CASES} == set(catalog()), "every named query needs a case"
    rows = []
    for name, params in CASES:
        query = named(name)
        bindings = prepare(query, params, labels)
        count = len(oxigraph.select(query.text, bindings).rows)
        ox_ms = timed(lambda: oxigraph.select(query.text, bindings), OXIGRAPH_RUNS)
        rd_ms = timed(lambda: rdflib_engine.select(query.text, bindings), RDFLIB_RUNS)
        shown = ", ".join(f"{k}={v if isinstance(v, str) else ' + '.join(v)}" for k, v in params.items())
        rows.append((f"{name} ({shown})" if shown else name, count, statistics.median(ox_ms),
                     statistics.quantiles(ox_ms, n=20)[-1], statistics.median(rd_ms)))
    slowest = max(r[2] for r in rows)
    load_after = os.getloadavg()[0]
    lines = [
        "## Named queries in process (`benchmarks/queries.py`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {len(build.graph)} triples. Median of {OXIGRAPH_RUNS} runs on pyoxigraph "
        f"(the default engine of `vexas-kg query`) and of {RDFLIB_RUNS} on rdflib, after {WARM_UP} warm-up runs; "
        "parameters already resolved (substitutions / initBindings; a VALUES block for several values). "
        "Target: each under "
        f"{TARGET_MS:.0f} ms on pyoxigraph — {'met' if slowest < TARGET_MS else 'NOT met'} (slowest median "
        f"{slowest:.1f} ms). Load average (1 min) before and after: {load_before:.1f}, {load_after:.1f} "
        "(other processes share the cores when it is above 0).",
        "",
        "| query | rows | pyoxigraph median ms | pyoxigraph p95 ms | rdflib median ms |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {label} | {count} | {median:.1f} | {p95:.1f} | {rd:.0f} |" for label, count, median, p95, rd in rows]
    lines += [
        "",
        "One-off costs of a `vexas-kg query` or `trace` process (milliseconds, one run):",
        "",
        "| step | ms |",
        "|---|---|",
        f"| build the graph (`build_graph`, no SHACL) | {build_ms:.0f} |",
        f"| load it into pyoxigraph (with printed number forms) | {store_ms:.0f} |",
        f"| label index for parameter values | {labels_ms:.0f} |",
    ]
    print(write_section("queries", "\n".join(lines)))


if __name__ == "__main__":
    main()
