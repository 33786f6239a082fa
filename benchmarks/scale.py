"""Benchmark: how the build and every named query grow with the evidence (3, 30, 300, 3,000 documents).

Not a test: run it by hand; it rewrites the scale section of docs/benchmarks.md.

    .venv/bin/python benchmarks/scale.py [--sizes 3,30,300] [--query-timeout 60] [--query-mb 6000] [--export-timeout 300]

For each size it generates a synthetic evidence folder (``benchmarks/synthetic.py``; the
folders are nested, so a fixed item is the same at every size) and measures:

- the cold ``vexas-kg build --evidence DIR`` in a fresh process: wall time and the peak RSS of
  every process of it (the main process and its validation worker, sampled from /proc);
- each stage in process (load and resolve the records, completeness, SHACL validation,
  serialisation, loading pyoxigraph, the label index) and the incremental rebuild after one
  record is edited;
- every named query and ``trace``, each in a child process of its own that loads the build's
  N-Triples and printed number forms into pyoxigraph, as an endpoint worker does, and then runs
  under a time and a memory cap, so a runaway case is reported ("killed at ... MB", "timed
  out") and the run goes on;
- each export format, forked from the process that built, with the same memory cap and a longer
  time cap of its own;
- the same queries through ``vexas-kg serve --evidence DIR`` (one worker).

The probe and query processes run with the garbage-collector setting of the ``vexas-kg``
command (``vexas_kg.runtime``), so their times are the command's. A query is not run in a fork
of a process that already holds the graph: such a child takes copy-on-write page faults on every
run (at 3,000 documents, about 6,000 per run of study-summary: 22 ms against 7 ms in the process
that loaded the store), which a long-lived endpoint worker never pays (see docs/benchmarks.md).

Targets (issue 11): every named query at most 12x per 10x data from 30 documents up, a
query with a fixed item at most 2x; at 300 documents every query under 1 s, the cold build
under 30 s and 1.5 GB; the incremental rebuild after one edit under 2 s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from incremental import rebuild_timings  # noqa: E402
from report import reference_seconds, write_section  # noqa: E402
from serve_process import ServeDidNotStart, serving  # noqa: E402
from synthetic import generate  # noqa: E402

WORK = Path(tempfile.gettempdir()) / "vexas-kg-scale"
FIXED_DOC = "g00000"
SPAN_FROM = 30
"""Issue 11's targets hold "from 30 to 3,000 documents"."""
FIXED_STUDY_DOC = "g00001"
# Parameters per named query; a query not listed runs without parameters (or is reported as
# lacking a case if it needs some). "fixed" marks a query whose answer is one item's, the same
# at every size (target: at most 2x per 10x data).
# A pairwise query answers its first page of 100 rows by default (``limit`` defaults to 100): that
# case, a page further on (each evaluated from the blocks it needs), one figure's pairs, and the
# whole answer (``limit=all``), which grows with the square of a block. A page has a fixed number
# of rows but is not a fixed item's answer: it is found by listing the blocks of the whole graph.
CASES: list[tuple[str, dict[str, str], bool]] = [
    ("alternatives-after-failure", {"drug": "ruxolitinib", "limit": "all"}, False),
    ("alternatives-after-failure", {"drug": "ruxolitinib"}, False),
    ("alternatives-after-failure", {"drug": "ruxolitinib", "limit": "100", "offset": "1000"}, False),
    ("citation-audit", {}, False),
    ("citation-audit", {"document": FIXED_DOC}, True),
    ("comparative-efficacy", {}, False),
    ("comparative-efficacy", {"intervention": "JAK inhibitors"}, False),
    ("comparative-efficacy", {"outcome": "overall response", "timepoint": "P6M"}, False),
    ("provenance-trail", {"item": "@figure"}, True),
    ("safety-profile", {"intervention": "tofacitinib"}, False),
    ("study-summary", {"study": f"study/{FIXED_STUDY_DOC}-study-1"}, True),
    ("treatment-for-presentation", {}, False),
    ("statements", {"about": "ruxolitinib"}, False),
    ("comparisons", {"limit": "all"}, False),
    ("comparisons", {}, False),
    ("comparisons", {"limit": "100", "offset": "1000"}, False),
    ("comparisons", {"figure": "@figure"}, False),
    ("contrasts", {"limit": "all"}, False),
    ("contrasts", {}, False),
    ("contrasts", {"limit": "100", "offset": "1000"}, False),
]


def fixed_figure(build) -> str:
    """The short id of the first figure of the fixed study document (the same at every size)."""
    from rdflib.namespace import RDF

    from vexas_kg.ontology.vocab import VX

    figure = min(str(s) for s, p, o in build.asserted[FIXED_STUDY_DOC] if p == RDF.type and o == VX.Figure)
    return f"{FIXED_STUDY_DOC}:{figure.rsplit('/', 1)[1]}"


def query_cases(build, names) -> list[tuple[str, dict[str, str], bool]]:
    """Every case of CASES whose query is in the catalog ``names``, then each other query without
    parameters; ``@figure`` becomes the fixed figure of ``build``."""
    figure = fixed_figure(build)
    cases = [(n, {k: (figure if v == "@figure" else v) for k, v in p.items()}, fixed)
             for n, p, fixed in CASES if n in names]
    covered = {n for n, _, _ in cases}
    return cases + [(n, {}, False) for n in sorted(names) if n not in covered]


# -- process-tree memory ------------------------------------------------------------------
def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                todo += [int(c) for c in children.read().split()]
        except OSError:
            pass
    return out


class TreeSampler(threading.Thread):
    """Samples the RSS of a process and all its descendants every 20 ms: peak per process and in total."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peaks, self.total = pid, {}, 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = 0.0
            for index, pid in enumerate(_tree(self.pid)):
                rss = _rss_mb(pid)
                key = "main" if index == 0 else f"child {pid}"
                self.peaks[key] = max(self.peaks.get(key, 0.0), rss)
                total += rss
            self.total = max(self.total, total)
            time.sleep(0.02)


def cold_build(evidence: Path) -> dict:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([str(Path(sys.executable).parent / "vexas-kg"), "build", "--evidence", str(evidence),
                                 "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    if proc.returncode:
        return {"error": err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}"}
    peaks = sorted(sampler.peaks.values(), reverse=True)
    return {"wall_s": wall, "peak_mb": peaks, "total_mb": sampler.total}


# -- the probe: stages and queries in one process, each query in a capped fork ----------------
def probe(evidence: Path, timeout_s: float, cap_mb: float, only: frozenset[str] = frozenset(),
          export_timeout_s: float = 300.0) -> dict:
    """Stage timings and every query case (or those of the queries named in ``only``; ``trace``
    is one of them); runs in its own process (``--probe``)."""
    from vexas_kg.graph.builder.assemble import build_graph
    from vexas_kg.graph.builder.completeness import uncovered_numbers
    from vexas_kg.graph.builder.validate import validate_triples
    from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine
    from vexas_kg.graph.store.serialize import to_ntriples, to_turtle
    from vexas_kg.queries import catalog

    stages: dict[str, float] = {}

    def stage(name: str, call):
        start = time.perf_counter()
        value = call()
        stages[name] = time.perf_counter() - start
        return value

    build = stage("load and resolve records", lambda: build_graph(evidence))
    stage("completeness", lambda: uncovered_numbers(build))
    report = stage("SHACL validation (one process)", lambda: validate_triples(build.triples))
    assert report.conforms, report.text()
    stage("Turtle", lambda: to_turtle(build.triples))
    ntriples = stage("N-Triples", lambda: to_ntriples(build.triples))
    graph = stage("rdflib graph", lambda: build.graph)
    engine = stage("load pyoxigraph", lambda: OxigraphEngine.from_graph(graph))
    stage("label index", lambda: LabelIndex.from_engine(engine))
    printed = engine.printed  # the query children's store is loaded from the N-Triples, with these forms
    del engine
    cases = [case for case in query_cases(build, catalog()) if not only or case[0] in only]
    figure_id = fixed_figure(build)
    if not only or "trace" in only:
        cases.append(("trace", {"item": figure_id}, True))
    results = queries_apart(ntriples, printed, cases, timeout_s, cap_mb)
    exports = [] if only else [capped(fmt, {}, False, lambda fmt=fmt: exported_bytes(build, fmt), export_timeout_s,
                                      cap_mb) for fmt in export_formats()]
    for export in exports:
        if "rows" in export:
            export["bytes"] = export.pop("rows")
    return {"triples": len(build.triples), "documents": len(build.records), "stages": stages,
            "queries": results, "exports": exports, "figure": figure_id}


def queries_apart(ntriples: str, printed: dict, cases: list[tuple[str, dict[str, str], bool]], timeout_s: float,
                  cap_mb: float) -> list[dict]:
    """The cases (``trace`` among them) measured by a fresh process (``--queries``) whose children
    each load these N-Triples and run one case, capped (:func:`measure_queries`, :func:`capped`)."""
    with tempfile.TemporaryDirectory() as scratch:
        handed = Path(scratch) / "graph.pickle"
        with handed.open("wb") as out:
            pickle.dump((ntriples, printed, cases), out, protocol=pickle.HIGHEST_PROTOCOL)
        done = subprocess.run([sys.executable, __file__, "--queries", str(handed), "--query-timeout", str(timeout_s),
                               "--query-mb", str(cap_mb)], capture_output=True, text=True)
    if done.returncode:
        last = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return [{"name": n, "params": p, "fixed": f, "error": f"query process failed: {last[0]}"} for n, p, f in cases]
    return json.loads(done.stdout)


def measure_queries(handed: Path, timeout_s: float, cap_mb: float) -> list[dict]:
    """The query process of :func:`queries_apart`: each case in a capped child that loads the engine
    and the label index itself, before its clock and memory baseline start (not loaded once and
    forked: such a child pays copy-on-write faults on every run; see the module docstring)."""
    from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, named, run_query
    from vexas_kg.graph.query.trail import render, trace

    with handed.open("rb") as given:
        ntriples, printed, cases = pickle.load(given)  # our own scratch file, written just before
    loaded: dict[str, object] = {}

    def load() -> None:
        engine = OxigraphEngine.from_ntriples(ntriples, printed)
        loaded.update(engine=engine, labels=LabelIndex.from_engine(engine))

    results = []
    for name, params, fixed in cases:

        def run(name=name, params=params):
            engine, labels = loaded["engine"], loaded["labels"]
            if name == "trace":
                return len(render(trace(params["item"], engine, labels)).splitlines())
            return len(run_query(named(name), params, engine, labels).rows)

        results.append(capped(name, params, fixed, run, timeout_s, cap_mb, setup=load))
    return results


def export_formats() -> list[str]:
    from vexas_kg.graph.export.formats import FORMATS

    return list(FORMATS)


def exported_bytes(build, fmt: str) -> int:
    """Export ``build`` in ``fmt`` (csv: comparative-efficacy) to a scratch folder; the bytes written."""
    from vexas_kg.graph.export.formats import ExportRequest, export

    with tempfile.TemporaryDirectory() as out:
        request = ExportRequest("comparative-efficacy") if fmt == "csv" else ExportRequest()
        return sum(path.stat().st_size for path in export(build, fmt, request=request, out_dir=Path(out)))


# -- the same cases through `vexas-kg serve` ------------------------------------------------------
def through_serve(evidence: Path, cases: list[tuple[str, dict[str, str], bool]], timeout_s: float) -> list[dict]:
    """Each case as ``GET /api/NAME`` on ``vexas-kg serve --evidence DIR`` (one worker; the request's
    deadline is the per-query cap): wall time of the answer (median of up to 3 after one warm-up
    request, which is not counted) and its rows, or the endpoint's refusal."""
    try:
        with serving(1, evidence=evidence, timeout_s=timeout_s, ready_s=1800) as (_, port):
            return [served_case(port, name, params, fixed, timeout_s) for name, params, fixed in cases]
    except ServeDidNotStart:
        return [{"name": name, "params": params, "fixed": fixed, "error": "serve did not start"}
                for name, params, fixed in cases]


def served_case(port: int, name: str, params: dict[str, str], fixed: bool, timeout_s: float) -> dict:
    """One case through the endpoint on ``port`` (see ``through_serve``)."""
    import http.client
    import urllib.parse

    target = f"/api/{name}?" + urllib.parse.urlencode(params)
    times, rows, error = [], 0, None
    for attempt in range(4):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s + 30)
        start = time.perf_counter()
        connection.request("GET", target, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        connection.close()
        if response.status != 200:
            error = f"HTTP {response.status}: {body.decode('utf-8', 'replace')[:80]}"
            break
        rows = len(json.loads(body)["results"]["bindings"])
        if attempt:
            times.append(elapsed)
        if sum(times) > 2.0 or (not attempt and elapsed > timeout_s / 2):
            times = times or [elapsed]
            break
    result = {"name": name, "params": params, "fixed": fixed}
    result.update({"error": error} if error else {"rows": rows, "ms": statistics.median(times) * 1000})
    return result


def capped(name: str, params: dict, fixed: bool, run, timeout_s: float, cap_mb: float, setup=None) -> dict:
    """Run ``run`` (returning a row count) in a forked child; kill it past the time or memory cap.
    ``setup``, if given, runs in the child first, outside the caps (the clock and the memory
    baseline start when it is done)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            if setup is not None:
                setup()
            os.write(write_fd, b"\n")  # ready
            start = time.perf_counter()
            rows = run()  # the first run also compiles and interns what later runs reuse: reported apart
            first = time.perf_counter() - start
            times: list[float] = []
            # at least one run after the first (which parses and plans the query in this fresh child),
            # unless a second could pass the cap; more while the runs so far take under 2 s
            while len(times) < 3 and (first + sum(times) < 2.0 or (not times and first < timeout_s / 3)):
                start = time.perf_counter()
                rows = run()
                times.append(time.perf_counter() - start)
            data = json.dumps({"rows": rows, "ms": statistics.median(times or [first]) * 1000, "runs": len(times),
                               "first_ms": first * 1000})
        except BaseException as exc:  # reported, not raised: the benchmark goes on
            data = json.dumps({"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"})
        with os.fdopen(write_fd, "w") as pipe:
            pipe.write(data)
        os._exit(0)
    os.close(write_fd)
    pipe = os.fdopen(read_fd)
    ready = pipe.readline()  # a newline: set up; else the child failed first and this is its error
    if ready != "\n":
        os.waitpid(pid, 0)
        pipe.close()
        failed = {"name": name, "params": params, "fixed": fixed, "extra_mb": 0.0}
        failed.update(json.loads(ready or '{"error": "no answer"}'))
        return failed
    start, base, peak, outcome = time.perf_counter(), _rss_mb(pid), 0.0, None
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        rss = _rss_mb(pid)
        peak = max(peak, rss)
        elapsed = time.perf_counter() - start
        if rss - base > cap_mb or elapsed > timeout_s:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            outcome = (f"killed at {rss:.0f} MB after {elapsed:.0f} s" if rss - base > cap_mb
                       else f"timed out after {timeout_s:.0f} s")
            break
        time.sleep(0.005)
    with pipe:
        data = pipe.read()
    result = {"name": name, "params": params, "fixed": fixed, "extra_mb": max(0.0, peak - base)}
    result.update({"error": outcome} if outcome else json.loads(data or '{"error": "no answer"}'))
    return result


# -- the report ----------------------------------------------------------------------------------
def _label(q: dict) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in q["params"].items())
    return f"{q['name']} ({shown})" if shown else q["name"]


def _cell(q: dict | None) -> str:
    if q is None:
        return "–"
    if "error" in q:
        return f"**{' '.join(str(q['error']).split())}**"  # one line: a server's message may end in a newline
    size = f"{q['bytes']:,} bytes" if "bytes" in q else f"{q['rows']} rows"
    return f"{q['ms']:.0f} ms, {size}" if q["ms"] >= 10 else f"{q['ms']:.1f} ms, {size}"


def _growth(a: dict | None, b: dict | None, decades: float = 1.0) -> str:
    """The time ratio from ``a`` to ``b`` per 10× data, over ``decades`` tenfold steps."""
    if not a or not b or "ms" not in a or "ms" not in b:
        return "–"
    return f"{(b['ms'] / max(a['ms'], 0.05)) ** (1 / decades):.1f}×"


def _span(sizes: list[int]) -> tuple[int, int] | None:
    """The range the issue's targets are stated over (from 30 documents to the largest size), when it
    covers more than one step: a per-10× ratio over it is the geometric mean of its steps'."""
    if SPAN_FROM in sizes and sizes.index(SPAN_FROM) < len(sizes) - 2:
        return SPAN_FROM, sizes[-1]
    return None


def render(sizes: list[int], results: dict[int, dict], ref_s: float, loads: tuple[float, float]) -> str:
    lines = [
        "## Scale (`benchmarks/scale.py`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores (shared with other "
        f"jobs: load average {loads[0]:.1f} before, {loads[1]:.1f} after), Python {platform.python_version()}; "
        f"reference loop {ref_s:.2f} s (see the build section). Synthetic evidence (`benchmarks/synthetic.py`, "
        "seed 11): invented documents of every kind, nested so that the first 30 of the 300 are the 30.",
        "",
        "### Build",
        "",
        "| documents | triples | cold build wall | peak RSS per process (MB) | peak RSS all processes |",
        "|---|---|---|---|---|",
    ]
    for n in sizes:
        r = results[n]
        cold = r["cold"]
        if "error" in cold:
            lines.append(f"| {n} | {r.get('triples', '–')} | **{cold['error']}** | | |")
            continue
        lines.append(f"| {n} | {r.get('triples', '–')} | {cold['wall_s']:.1f} s | "
                     f"{', '.join(f'{m:.0f}' for m in cold['peak_mb'])} | {cold['total_mb']:.0f} MB |")
    stage_names = list(next((results[n]["stages"] for n in sizes if "stages" in results[n]), {}))
    lines += ["", "Stages in one process (seconds):", "",
              "| stage | " + " | ".join(f"{n} docs" for n in sizes) + " |",
              "|---|" + "---|" * len(sizes)]
    for stage in stage_names:
        lines.append(f"| {stage} | " + " | ".join(f"{results[n].get('stages', {}).get(stage, float('nan')):.2f}"
                                                    for n in sizes) + " |")
    inc = [(n, results[n].get("incremental")) for n in sizes if results[n].get("incremental")]
    if inc:
        keys = list(inc[0][1])
        lines += ["", "Incremental rebuild (seconds; one record edited, output compared byte for byte with a "
                  "full build):", "", "| documents | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        for n, timings in inc:
            lines.append(f"| {n} | " + " | ".join(str(timings[k]) if not isinstance(timings[k], float)
                                                  else f"{timings[k]:.2f}" for k in keys) + " |")
    lines += _table(sizes, results, "queries", "### Queries",
                    "Each case in a child process that first loads the build's N-Triples into pyoxigraph, then "
                    "runs with a time and memory cap; median of up to 3 runs after a first one "
                    "(the first run's time, which includes parsing and planning the query in the fresh child, is in "
                    "results.json as first_ms; it is the reported time only when it took over a third of the cap, "
                    "so that a second run could not pass it). Growth = time "
                    "ratio per 10× data, step by step and, in the last column, over the whole range from 30 documents "
                    "(the geometric mean of its steps) (targets: ≤ 12× from 30 documents up; ≤ 2× for a fixed item, "
                    "marked *).")
    lines += _table(sizes, results, "served", "### The same queries through `vexas-kg serve`",
                    "`GET /api/NAME` on `vexas-kg serve --evidence DIR --workers 1` (the query's deadline is the "
                    "per-query cap); median of up to 3 answers after one warm-up request. (`trace` is a CLI "
                    "command; its query, provenance-trail, is here.)")
    lines += _table(sizes, results, "exports", "### Exports",
                    "`export(build, FORMAT)` in a forked child with the same caps, after the build, and the bytes "
                    "written (csv: the rows of comparative-efficacy).")
    return "\n".join(lines)


def _table(sizes: list[int], results: dict[int, dict], key: str, title: str, note: str) -> list[str]:
    """One more table of cases by size (served queries, exports), if any size has it."""
    if not any(results[n].get(key) for n in sizes):
        return []
    labels: list[str] = []
    by_size: dict[int, dict[str, dict]] = {n: {} for n in sizes}
    for n in sizes:
        for q in results[n].get(key, []):
            by_size[n][_label(q)] = q
            labels += [] if _label(q) in labels else [_label(q)]
    span = _span(sizes)
    steps = [f"{a}→{b}" for a, b in zip(sizes, sizes[1:])] + ([f"{span[0]}→{span[1]} per 10×"] if span else [])
    lines = ["", title, "", note, "",
             "| " + " | ".join(["query" if key != "exports" else "format"] + [f"{n} docs" for n in sizes] + steps)
             + " |", "|---|" + "---|" * (len(sizes) + len(steps))]
    for label in labels:
        qs = [by_size[n].get(label) for n in sizes]
        fixed = any(q and q.get("fixed") for q in qs)
        cells = [f"{label}{' *' if fixed else ''}"] + [_cell(q) for q in qs] + [_growth(a, b) for a, b in zip(qs, qs[1:])]
        if span:
            cells.append(_growth(by_size[span[0]].get(label), by_size[span[1]].get(label), math.log10(span[1] / span[0])))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="Scaling benchmark (see the module docstring).")
    parser.add_argument("--sizes", default="3,30,300")
    parser.add_argument("--query-timeout", type=float, default=60.0)
    parser.add_argument("--query-mb", type=float, default=4000.0)
    parser.add_argument("--export-timeout", type=float, default=300.0,
                        help="cap of one export (an export of 2.3 million triples writes for minutes, linearly)")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true",
                        help="print the report; leave docs/benchmarks.md and the saved results.json alone")
    parser.add_argument("--fresh", action="store_true",
                        help="report only the sizes measured now (by default the sizes of the saved results.json "
                             "that are not measured again are kept, so --sizes 3000 adds a column)")
    parser.add_argument("--only", default="",
                        help="comma-separated query names (and/or trace): measure only their cases, in process, "
                             "with no cold build and no incremental rebuild; prints, writes nothing")
    args = parser.parse_args()
    only = frozenset(filter(None, args.only.split(",")))
    if args.queries:
        from vexas_kg.runtime import tune_collector

        tune_collector()  # as the probe (below)
        print(json.dumps(measure_queries(args.queries, args.query_timeout, args.query_mb)))
        return
    if args.probe:
        from vexas_kg.runtime import tune_collector

        tune_collector()  # the probe process stands for a `vexas-kg` command, which runs so tuned
        print(json.dumps(probe(args.probe, args.query_timeout, args.query_mb, only, args.export_timeout)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    loads_before = os.getloadavg()[0]
    ref_s = reference_seconds()
    results: dict[int, dict] = {}
    for n in sizes:
        evidence = generate(WORK / f"evidence-{n}", n)
        result = {}
        if not only:
            print(f"{n} documents: cold build", file=sys.stderr, flush=True)
            result["cold"] = cold_build(evidence)
        print(f"{n} documents: stages and queries", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, __file__, "--probe", str(evidence), "--query-timeout",
                               str(args.query_timeout), "--query-mb", str(args.query_mb), "--only", args.only,
                               "--export-timeout", str(args.export_timeout)],
                              capture_output=True, text=True)
        if done.returncode:
            result["probe_error"] = done.stderr.strip().splitlines()[-1:]
            print(done.stderr, file=sys.stderr)
        else:
            result.update(json.loads(done.stdout))
        if not only and "queries" in result:
            print(f"{n} documents: the queries through serve", file=sys.stderr, flush=True)
            served = [(q["name"], q["params"], q["fixed"]) for q in result["queries"] if q["name"] != "trace"]
            result["served"] = through_serve(evidence, served, args.query_timeout)
        if only:
            for q in result.get("queries", []):
                print(f"{n} docs | {_label(q)} | {_cell(q)}", flush=True)
            continue
        result["incremental"] = rebuild_timings(evidence)
        results[n] = result
        print(json.dumps(result, indent=1), file=sys.stderr, flush=True)
    if only:
        return
    saved = WORK / "results.json"
    if not args.fresh and saved.is_file():
        kept = {int(n): r for n, r in json.loads(saved.read_text(encoding="utf-8")).items() if int(n) not in results}
        results = dict(sorted({**kept, **results}.items()))
        sizes = sorted(results)
    report = render(sizes, results, ref_s, (loads_before, os.getloadavg()[0]))
    if args.no_write:
        print(report)
        return
    saved.write_text(json.dumps({str(n): r for n, r in results.items()}, indent=1), encoding="utf-8")
    print(write_section("scale", report))


if __name__ == "__main__":
    main()
