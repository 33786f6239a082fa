"""Benchmark: cold `vexas-kg build` wall time and peak memory, with a breakdown.

Not a test: run it by hand (`.venv/bin/python benchmarks/build.py`) after changing the
build; it rewrites the build section of docs/benchmarks.md. Targets: under 1 s and
150 MB for this graph on the 2-core machine.
"""

from __future__ import annotations

import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from report import reference_seconds, write_section

RUNS = 11
TARGET_S, TARGET_MB = 1.0, 150.0

# Runs the CLI in this very process and ends it as the `vexas-kg` console script does
# (`vexas_kg.cli.run`: flush, then exit without interpreter teardown), after reporting the
# peak RSS of this process (the main one) and of its reaped children (the validation worker).
_CLI = (
    "import os, resource, sys\n"
    "from vexas_kg.cli import main\n"
    "sys.argv = ['vexas-kg', 'build', '--out', sys.argv[1]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exit:\n"
    "    assert not exit.code, exit.code\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.stdout.flush()\n"
    "sys.stderr.flush()\n"
    "os._exit(0)\n"
)


def cold_runs() -> list[tuple[float, float, float]]:
    """Build in fresh processes; per run: wall seconds, main and worker peak RSS (MB)."""
    runs = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _CLI, out], check=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - start
        main_kb, worker_kb = done.stderr.split()[-2:]
        runs.append((wall, int(main_kb) / 1024, int(worker_kb) / 1024))
    return runs


MAIN_LOAD = ("main: load and check records", "main: completeness")
WORKER_WARM = ("worker: import pySHACL (with rdflib's SPARQL parser)", "worker: parse shapes")


def breakdown() -> dict[str, float]:
    """Each stage's cost run one after the other in one process (imports measured first)."""
    stages: dict[str, float] = {}

    def timed(name: str, start: float) -> float:
        now = time.perf_counter()
        stages[name] = now - start
        return now

    t = time.perf_counter()
    import vexas_kg.cli  # noqa: F401
    from vexas_kg.graph.builder.assemble import build_graph, graph_of
    from vexas_kg.graph.builder.pipeline import require_complete
    from vexas_kg.graph.store.serialize import to_ntriples, to_turtle
    from vexas_kg.graph.builder.validate import shapes_graph, validate_graph

    t = timed("main: imports (click, rdflib, ruamel, loaders)", t)
    build = build_graph()
    t = timed(MAIN_LOAD[0], t)
    require_complete(build)
    t = timed(MAIN_LOAD[1], t)
    import pyshacl  # noqa: F401

    t = timed(WORKER_WARM[0], t)
    shapes_graph()
    t = timed(WORKER_WARM[1], t)
    triples = pickle.loads(pickle.dumps(list(build.triples), protocol=pickle.HIGHEST_PROTOCOL))
    t = timed("main to worker: pickle the triples through the pipe", t)
    graph = graph_of(triples)
    t = timed("worker: fill an rdflib graph", t)
    validate_graph(graph)
    t = timed("worker: SHACL validation", t)
    to_turtle(build.triples)
    to_ntriples(build.triples)
    timed("main: serialise Turtle + N-Triples (while the worker validates)", t)
    stages["triples"] = float(len(build.triples))
    return stages


def critical_path(stages: dict[str, float]) -> float:
    """Imports, then the longer of loading (main) and warming up (worker), then the worker's remaining stages."""
    parallel = max(sum(stages[k] for k in MAIN_LOAD), sum(stages[k] for k in WORKER_WARM))
    after = sum(v for k, v in stages.items() if k.startswith(("main to worker", "worker: fill", "worker: SHACL")))
    return stages["main: imports (click, rdflib, ruamel, loaders)"] + parallel + after


def main() -> None:
    load_before = os.getloadavg()[0]
    reference = reference_seconds()
    runs = cold_runs()
    load_after = os.getloadavg()[0]
    stages = breakdown()
    triples = int(stages.pop("triples"))
    walls = [r[0] for r in runs]
    mains, workers = [r[1] for r in runs], [r[2] for r in runs]
    totals = [r[1] + r[2] for r in runs]
    wall, total = statistics.median(walls), max(totals)

    def row(name: str, values: list[float], fmt: str) -> str:
        return f"| {name} | {statistics.median(values):{fmt}} | {min(values):{fmt}} | {max(values):{fmt}} |"

    lines = [
        "## Build (`vexas-kg build`, cold process)",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {RUNS} cold runs of the CLI in a fresh process each ({triples} triples). "
        f"Load average (1 min) before and after: {load_before:.1f}, {load_after:.1f}. A fixed "
        f"pure-Python loop (10^7 additions) took {reference:.2f} s (best of 3), a rough sign of the VM's speed, "
        f"which drifts by tens of percent over a day. Target: < {TARGET_S:g} s, < {TARGET_MB:g} MB.",
        "",
        "| metric | median | min | max |",
        "|---|---|---|---|",
        row("wall time (s)", walls, ".2f"),
        row("peak RSS, main process (MB)", mains, ".0f"),
        row("peak RSS, validation worker (MB)", workers, ".0f"),
        row("both added (MB)", totals, ".0f"),
        "",
        "The main process forks a validation worker first: the worker imports pySHACL and reads the shapes "
        "while the main process loads and checks the records, then receives the triples through a pipe and "
        "validates them while the main process serialises them; files are written only once the worker "
        "reports conformance. The worker shares the main process's pages copy-on-write, so adding the "
        "two peaks over-counts memory: it is an upper bound.",
        "",
        "Each stage run one after the other in one process (seconds):",
        "",
        "| stage | s |",
        "|---|---|",
    ]
    lines += [f"| {name} | {seconds:.3f} |" for name, seconds in stages.items()]
    critical = critical_path(stages)
    lines += [
        "",
        f"Critical path: imports, then the longer of loading (main process) and pySHACL's import plus the shapes "
        f"(worker, started before the records load), then the transfer, filling and validation: {critical:.2f} s, "
        "plus about 0.04 s of interpreter start-up. Serialisation overlaps the validation.",
        "",
        f"Target: wall time {'met' if wall < TARGET_S else 'NOT met'} (median {wall:.2f} s), memory "
        f"{'met' if total < TARGET_MB else 'NOT met'} (largest sum {total:.0f} MB). What made it fast: "
        "each property shape carries its node shape's targets when run (pySHACL checks it once for all "
        "focus nodes instead of once per focus node; same results, checked on every shape test case), "
        "type checks name one superclass (sh:class vx:Intervention / vx:ClinicalEntity) instead of an "
        "sh:or of classes, quotes are located with str.find on the normalised text, the main process keeps "
        "the triples in a plain set (only the worker fills an rdflib store, for pySHACL), the Turtle writer "
        "makes one pass, the shipped Turtle is read by Oxigraph's parser, the worker imports pySHACL while the "
        "records load and validates while they are serialised, and the process ends without tearing the "
        "interpreter down. What remains is pySHACL's import (it loads rdflib's SPARQL parser) and its "
        "per-lookup cost on rdflib's store.",
    ]
    print(write_section("build", "\n".join(lines)))


if __name__ == "__main__":
    main()
