"""Benchmark: the named queries, unchanged, on external stores (issue 11, "Beyond one machine").

Not a test: run it by hand; it rewrites the external-stores section of docs/benchmarks.md.

    bash scripts/setup-jena      # once: Debian's Jena 4.5.0 and its start-up fix
    .venv/bin/python benchmarks/external.py [--sizes 3,300] [--stores oxigraph-disk,jena]

For each size it generates the synthetic evidence (``benchmarks/synthetic.py``), builds it
with every check, and writes the graph as N-Triples. Each store loads that file with its own
bulk loader — Oxigraph into a store on disk (``pyoxigraph.Store(path).bulk_load``), Apache
Jena into a TDB2 database (``tdb2.tdbloader``) — and answers every case of the scale
benchmark (``benchmarks/scale.py``: every named query, with its parameters bound by a VALUES
block in the query text, as a remote store receives it). Rows are compared with the
in-process answers (Oxigraph in memory, parameters substituted) as multisets, literals by
value where the datatype is numeric (stores print canonical forms: 2.50 and 2.5 agree).

Jena's time is its own ``--time`` measure of the query (the JVM's start, ~1-2 s per query
here, is reported once, apart).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import write_section  # noqa: E402
from scale import query_cases  # noqa: E402
from synthetic import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.gettempdir()) / "vexas-kg-external"
CLASSPATH = ROOT / ".venv" / "vendor" / "jena" / "classpath"
NUMERIC = re.compile(r"#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger)$")


def key(term: object) -> str:
    """A term as compared across stores: numeric literals by value, everything else as written."""
    if term is None:
        return ""
    datatype = str(getattr(term, "datatype", "") or "")
    if NUMERIC.search(datatype):
        try:
            return f"n:{Decimal(str(term)).normalize()}"
        except InvalidOperation:
            pass
    language = getattr(term, "language", None)
    return f"{term}@{language}" if language else str(term)


def rows_of(table) -> Counter:
    return Counter(tuple(key(t) for t in row) for row in table.rows)


class Jena:
    """Debian's Jena, run as Java classes on the class path ``scripts/setup-jena`` wrote."""

    def __init__(self) -> None:
        if not CLASSPATH.exists():
            raise SystemExit("run `bash scripts/setup-jena` first")
        self.classpath = CLASSPATH.read_text(encoding="utf-8").strip()

    def run(self, main: str, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
        return subprocess.run(["java", "-Xmx4g", "-cp", self.classpath, main, *args], capture_output=True,
                              text=True, timeout=timeout)

    def load(self, location: Path, data: Path) -> float:
        shutil.rmtree(location, ignore_errors=True)
        started = time.perf_counter()
        done = self.run("tdb2.tdbloader", f"--loc={location}", str(data))
        if done.returncode != 0:
            raise SystemExit(f"tdb2.tdbloader failed: {done.stderr[-2000:]}")
        return time.perf_counter() - started

    def query(self, location: Path, text: str, timeout: float) -> tuple[object, float, float]:
        """(result table or an error text, query seconds by Jena's --time, wall seconds)."""
        from vexas_kg.graph.remote.client import results_from_json

        with tempfile.NamedTemporaryFile("w", suffix=".rq", delete=False, encoding="utf-8") as handle:
            handle.write(text)
        started = time.perf_counter()
        try:
            done = self.run("tdb2.tdbquery", f"--loc={location}", f"--query={handle.name}", "--results=JSON",
                            "--time", timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"timed out after {timeout:.0f} s", float("nan"), time.perf_counter() - started
        finally:
            os.unlink(handle.name)
        wall = time.perf_counter() - started
        measured = re.search(r"Time:\s*([0-9.]+)\s*sec", done.stderr + done.stdout)
        seconds = float(measured.group(1)) if measured else float("nan")
        if done.returncode != 0:
            return f"failed: {' '.join(done.stderr.split())[:300]}", seconds, wall
        body = done.stdout[done.stdout.index("{"):] if "{" in done.stdout else done.stdout
        body = body[: body.rindex("}") + 1] if "}" in body else body
        return results_from_json(json.loads(body)), seconds, wall


class JenaEngine:
    """Jena TDB2 as an engine of the library (``tdb2.tdbquery`` per query, parameters bound as a remote
    store gets them), so a named query runs there exactly as in process, a page block by block."""

    def __init__(self, jena: Jena, location: Path, timeout: float) -> None:
        self.jena, self.location, self.timeout = jena, location, timeout
        self.seconds = 0.0
        """Jena's own query time (--time), summed over the queries of one named query's answer."""

    def select(self, query: str, bindings):
        from vexas_kg.errors import QueryError
        from vexas_kg.graph.query.sparql_text import with_values

        table, seconds, _ = self.jena.query(self.location, with_values(query, bindings), self.timeout)
        if isinstance(table, str):
            raise QueryError(table)
        self.seconds += seconds
        return table


def measure(size: int, stores: list[str], query_timeout: float) -> list[str]:
    import pyoxigraph as ox

    from vexas_kg.errors import QueryError
    from vexas_kg.graph.builder.pipeline import checked_build
    from vexas_kg.graph.query.bounded import run_bounded
    from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, named, printed_forms, run_query
    from vexas_kg.graph.store.serialize import to_ntriples
    from vexas_kg.queries import catalog

    folder = generate(WORK / f"evidence-{size}", size)  # always the current generator's corpus
    build = checked_build(folder)
    data = WORK / f"graph-{size}.nt"
    data.write_text(to_ntriples(build.triples), encoding="utf-8")
    engine = OxigraphEngine.from_graph(build.graph)
    labels = LabelIndex.from_engine(engine)
    cases = []
    for name, params, _ in query_cases(build, set(catalog())):
        query = named(name)
        try:
            expected = rows_of(run_bounded(lambda: run_query(query, params, engine, labels), query_timeout, 8000))
        except QueryError as stopped:
            print(f"{name} {params}: in-process answer stopped ({stopped}); left out", file=sys.stderr)
            continue
        cases.append((name, params, query, expected))
    lines = [f"### {size} documents ({len(build.triples):,} triples)", ""]
    results: dict[str, dict[int, tuple[str, str]]] = {}
    loads = {}
    if "oxigraph-disk" in stores:
        location = WORK / f"oxigraph-{size}"
        shutil.rmtree(location, ignore_errors=True)
        started = time.perf_counter()
        store = ox.Store(str(location))
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        loads["Oxigraph on disk"] = time.perf_counter() - started
        del store
        printed = printed_forms(build.graph)
        results["Oxigraph on disk"] = {}
        for i, (name, params, query, expected) in enumerate(cases):
            def work(query=query, params=params) -> tuple[float, Counter]:
                disk = OxigraphEngine(ox.Store.read_only(str(location)), printed)
                begun = time.perf_counter()
                table = run_query(query, params, disk, labels)
                return time.perf_counter() - begun, rows_of(table)
            try:
                elapsed, got = run_bounded(work, timeout_s=query_timeout, memory_mb=8000)
            except QueryError as stopped:
                results["Oxigraph on disk"][i] = ("-", f"stopped: {stopped}")
                continue
            results["Oxigraph on disk"][i] = (f"{elapsed * 1000:.0f} ms",
                                              "same" if got == expected else _difference(expected, got))
    if "jena" in stores:
        jena = Jena()
        location = WORK / f"tdb2-{size}"
        loads["Jena TDB2"] = jena.load(location, data)
        results["Jena TDB2"] = {}
        for i, (name, params, query, expected) in enumerate(cases):
            store = JenaEngine(jena, location, query_timeout)
            begun = time.perf_counter()
            try:
                table = run_query(query, params, store, labels)
            except QueryError as failed:
                results["Jena TDB2"][i] = (f"{time.perf_counter() - begun:.1f} s wall", str(failed))
                continue
            seconds, wall = store.seconds, time.perf_counter() - begun
            got = rows_of(table)
            results["Jena TDB2"][i] = (f"{seconds * 1000:.0f} ms ({wall:.1f} s wall)",
                                       "same" if got == expected else _difference(expected, got))
    lines.append("Bulk load: " + "; ".join(f"{store} {seconds:.1f} s" for store, seconds in loads.items()) + ".")
    lines.append("")
    names = list(results)
    lines.append("| query | rows in-process | " + " | ".join(f"{n}: time | {n}: rows" for n in names) + " |")
    lines.append("|---|---|" + "---|---|" * len(names))
    for i, (name, params, _, expected) in enumerate(cases):
        label = name + (f" ({', '.join(f'{k}={v}' for k, v in params.items())})" if params else "")
        cells = [c for n in names for c in results[n][i]]
        lines.append(f"| {label} | {sum(expected.values())} | " + " | ".join(cells) + " |")
    return lines


def _difference(expected: Counter, got: Counter) -> str:
    missing, extra = expected - got, got - expected
    sample = next(iter(missing or extra))
    return (f"DIFFERENT: {sum(missing.values())} rows missing, {sum(extra.values())} extra "
            f"(e.g. {'missing' if missing else 'extra'} {sample})")


def main() -> None:
    parser = argparse.ArgumentParser(description="External-store benchmark (see the module docstring).")
    parser.add_argument("--sizes", default="3,300")
    parser.add_argument("--stores", default="oxigraph-disk,jena")
    parser.add_argument("--query-timeout", type=float, default=120.0)
    parser.add_argument("--no-write", action="store_true", help="print the report, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    stores = args.stores.split(",")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    lines = [
        "## External stores: the named queries unchanged",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {java}; "
        "measured with `benchmarks/external.py` (other work was running on the machine, so times are "
        "indicative; the row comparison is the result). Every case of the scale benchmark, its parameters bound "
        "by a VALUES block in the text (as a remote store receives them), against the in-process answer.",
        "",
    ]
    for size in (int(s) for s in args.sizes.split(",")):
        lines += measure(size, stores, args.query_timeout) + [""]
    body = "\n".join(lines)
    print(body if args.no_write else write_section("external", body))


if __name__ == "__main__":
    main()
