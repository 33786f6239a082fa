"""Benchmark: SPARQL endpoint throughput for the named queries, and export times.

Not a test: run it by hand (`.venv/bin/python benchmarks/endpoint.py`); it rewrites the
endpoint section of docs/benchmarks.md. It starts `vexas-kg serve`'s endpoint (the
guard in front of `oxigraph serve-read-only`) on a free loopback port and sends each
named query, with its parameters bound as a remote client binds them (a VALUES row),
from 1 and from 8 concurrent keep-alive clients, a fixed number of requests per level.
The same load straight to Oxigraph shows what the guard costs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from report import write_section

from vexas_kg.graph.export.formats import FORMATS, ExportRequest, export
from vexas_kg.graph.builder.pipeline import checked_build
from vexas_kg.graph.query.named import LabelIndex, engine_for, named, prepare, run_named
from vexas_kg.graph.serve.server import serve_graph
from vexas_kg.graph.query.sparql_text import with_values
from vexas_kg.queries import catalog

LEVELS = (1, 8)


def cases(build, labels) -> list[tuple[str, str, int]]:
    """(label, bound query text, expected row count) for each named query: unrestricted if it can be,
    and with its first parameter set to the first value its own rows give."""
    engine = engine_for(build.graph)
    found = []
    for name, query in catalog().items():
        base = {p.name: richest_value(name, p, engine, labels) for p in query.parameters if p.required}
        table = run_named(name, base, engine, labels)
        label = name + "".join(f" ({k}={v.rsplit('/', 1)[-1].rstrip('>')})" for k, v in base.items())
        found.append((label, with_values(query.text, prepare(named(name), base, labels)), len(table.rows)))
        for parameter in query.parameters:
            if not parameter.required and parameter.name in table.columns:
                column = table.columns.index(parameter.name)
                values = sorted(str(r[column]) for r in table.rows if r[column] is not None)
                if values:
                    params = {**base, parameter.name: f"<{values[0]}>" if values[0].startswith("http") else values[0]}
                    bound = with_values(query.text, prepare(named(name), params, labels))
                    rows = len(run_named(name, params, engine, labels).rows)
                    found.append((f"{name} ({parameter.name})", bound, rows))
                    break
    return found


def richest_value(name: str, parameter, engine, labels) -> str:
    """The value of a required parameter that gives the most rows (ties: the smallest IRI)."""
    from vexas_kg.model import parameter_type

    accepted = parameter_type(parameter.type).classes()
    candidates = sorted(iri for iri, entry in labels.entries.items() if entry.kinds & accepted)
    counted = [(-len(run_named(name, {parameter.name: f"<{iri}>"}, engine, labels).rows), iri) for iri in candidates]
    return f"<{min(counted)[1]}>"


def load(host: str, port: int, text: str, clients: int, requests: int, expected_rows: int) -> dict[str, float]:
    """Send ``requests`` POSTs spread over ``clients`` keep-alive connections; return throughput and latency."""
    body = urllib.parse.urlencode({"query": text}).encode("utf-8")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_client = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]

    def client(count: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        mine = []
        for _ in range(count):
            started = time.perf_counter()
            connection.request("POST", "/query", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                with lock:
                    errors.append(f"HTTP {response.status}: {payload[:100]!r}")
            elif payload.count(b'"bindings"') != 1 or (expected_rows == 0) != (b"[]" in payload.replace(b" ", b"")):
                with lock:
                    errors.append("unexpected result")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"errors under load: {errors[:3]}")
    latencies.sort()
    return {"rps": requests / wall, "p50": statistics.median(latencies) * 1000,
            "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000}


def export_times(build, repeats: int) -> list[tuple[str, float]]:
    times = []
    query = next(name for name, q in catalog().items() if not any(p.required for p in q.parameters))
    with tempfile.TemporaryDirectory() as out:
        for fmt in FORMATS:
            request = ExportRequest(query) if fmt == "csv" else ExportRequest()
            runs = []
            for _ in range(repeats):
                started = time.perf_counter()
                export(build, fmt, request=request, out_dir=Path(out))
                runs.append(time.perf_counter() - started)
            times.append((fmt if fmt != "csv" else f"csv ({query})", statistics.median(runs)))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per query and concurrency level")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds of single-client work per query and level; slow queries get fewer requests")
    parser.add_argument("--no-write", action="store_true", help="print the section, do not rewrite the doc")
    args = parser.parse_args()
    build = checked_build()
    labels = LabelIndex.from_graph(build.graph)
    found = cases(build, labels)
    rows = []
    load_before = os.getloadavg()[0]
    with serve_graph(build.graph, port=0, timeout_s=60) as endpoint:
        for label, text, expected in found:
            for target, port in (("guarded", endpoint.port), ("oxigraph", endpoint.backend.port)):
                warm = load(endpoint.host, port, text, 1, 3, expected)
                for clients in LEVELS:
                    count = min(args.requests, max(2 * clients, int(args.budget / (warm["p50"] / 1000))))
                    result = load(endpoint.host, port, text, clients, count, expected)
                    result["requests"] = count
                    rows.append((label, expected, target, clients, result))
                    print(f"{label:45} {target:8} {clients} clients: {result['rps']:8.1f} req/s "
                          f"p50 {result['p50']:.1f} ms p95 {result['p95']:.1f} ms", file=sys.stderr)
    exports = export_times(build, repeats=3)
    section = render(build, rows, exports, args.requests, args.budget, (load_before, os.getloadavg()[0]))
    print(section)
    if not args.no_write:
        write_section("endpoint", section)


def render(build, rows, exports, requests: int, budget: float, loads: tuple[float, float]) -> str:
    cores = os.cpu_count()
    lines = ["## SPARQL endpoint and exports (`benchmarks/endpoint.py`)", "",
             f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {cores} cores, "
             f"Python {platform.python_version()}; {len(build.graph)} triples. `vexas-kg serve` on a loopback port: "
             f"up to {requests} POST requests per query and level from keep-alive clients (fewer for slow queries: "
             f"about {budget:.0f} s of single-client work), parameters bound with a VALUES row as remote clients "
             "send them, after 3 warm-up requests. *guarded* is the public port (the SERVICE/LOAD guard in front "
             "of Oxigraph), *oxigraph* the Oxigraph server itself. A required parameter is set to the value "
             "giving the most rows; a second line per query sets its first optional parameter. "
             f"Load average (1 min) before and after: {loads[0]:.1f}, {loads[1]:.1f} (other processes "
             "compete for the same cores when it is above 0).", "",
             "| query | rows | endpoint | clients | requests | req/s | p50 ms | p95 ms |",
             "|---|---|---|---|---|---|---|---|"]
    for label, expected, target, clients, result in rows:
        lines.append(f"| {label} | {expected} | {target} | {clients} | {result['requests']} | {result['rps']:.1f} | "
                     f"{result['p50']:.1f} | {result['p95']:.1f} |")
    lines += ["", "Export of the checked graph, median of 3 runs in one process (seconds, build excluded):", "",
              "| format | s |", "|---|---|"]
    lines += [f"| {fmt} | {seconds:.3f} |" for fmt, seconds in exports]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
