"""The cached build (``vexas-kg build --incremental``) against a full build, side by side in one run.

For each size, a synthetic evidence folder (``benchmarks/synthetic.py``, seed 11) is built by the
CLI, each build in a fresh process (wall time, as a curator sees it): a full build; cached builds
with an empty cache in one and in two validation processes (``--jobs``); a cached build with
nothing changed; one record edited (a study's label) then built with the cache, and compared byte
for byte with a full build of the edited folder. Results go to docs/benchmarks.md between the
``incremental`` markers, as seconds and as ratios to the full build measured in the same run.

``edit_one_record`` (that edit; the incremental build's tests make it too) and ``rebuild_timings``
(the same builds in one process, for ``benchmarks/scale.py``) are used from here.

    python benchmarks/incremental.py [--sizes 30,300] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report import reference_seconds, write_section  # noqa: E402
from synthetic import generate  # noqa: E402

CLI = [sys.executable, "-m", "vexas_kg.cli", "build"]


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(CLI + args, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(size: int, tmp: Path) -> dict[str, object]:
    evidence = generate(tmp / f"evidence-{size}", size)
    out = {name: tmp / f"out-{size}-{name}" for name in ("full", "one", "two")}
    ev = ["--evidence", str(evidence)]
    row: dict[str, object] = {"documents": size}
    row["full build"] = timed(["--out", str(out["full"])] + ev)
    row["cached, empty cache, --jobs 1"] = timed(["--incremental", "--jobs", "1", "--out", str(out["one"])] + ev)
    row["cached, empty cache, --jobs 2"] = timed(["--incremental", "--jobs", "2", "--out", str(out["two"])] + ev)
    row["cached, nothing changed"] = timed(["--incremental", "--out", str(out["two"])] + ev)
    edit_one_record(evidence)
    row["cached, one record edited"] = timed(["--incremental", "--out", str(out["two"])] + ev)
    row["full build of the edited folder"] = timed(["--out", str(out["full"])] + ev)
    row["identical bytes"] = all((out["full"] / n).read_bytes() == (out["two"] / n).read_bytes()
                                 for n in ("vexas-kg.ttl", "vexas-kg.nt"))
    return row


def rebuild_timings(evidence: Path) -> dict:
    """For ``benchmarks/scale.py``: full, cold-cache and one-edit incremental builds in this process (seconds)."""
    import shutil

    from vexas_kg.graph.builder.incremental import build_and_write_cached
    from vexas_kg.graph.builder.pipeline import GRAPH_NAME, build_and_write

    with tempfile.TemporaryDirectory(prefix="vexas-kg-incr-") as tmp:
        copy = Path(tmp) / "evidence"
        shutil.copytree(evidence, copy)
        out_full, out_cached = Path(tmp) / "full", Path(tmp) / "cached"
        timings: dict[str, float] = {}
        start = time.perf_counter()
        build_and_write(out_full, copy)
        timings["full"] = time.perf_counter() - start
        start = time.perf_counter()
        build_and_write_cached(out_cached, copy)
        timings["cold cache"] = time.perf_counter() - start
        start = time.perf_counter()
        build_and_write_cached(out_cached, copy)
        timings["nothing changed"] = time.perf_counter() - start
        edit_one_record(copy)
        start = time.perf_counter()
        build_and_write_cached(out_cached, copy)
        timings["one record edited"] = time.perf_counter() - start
        build_and_write(out_full, copy)
        same = all((out_full / name).read_bytes() == (out_cached / name).read_bytes()
                   for name in (f"{GRAPH_NAME}.ttl", f"{GRAPH_NAME}.nt"))
        return {**{k: round(v, 2) for k, v in timings.items()}, "identical to a full build": same}


def edit_one_record(evidence: Path) -> Path:
    """A curator's small edit: the first study of the last record with studies gets a longer label (free text)."""
    for record in sorted((evidence / "records").glob("*.yaml"), reverse=True):
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        studies = next((i for i, line in enumerate(lines) if line.startswith("studies:")), None)
        if studies is not None:
            break
    else:
        raise ValueError(f"{evidence}: no record defines a study")
    for i in range(studies, len(lines)):
        match = re.fullmatch(r'(\s+label: )"(.*)"\n', lines[i])
        if match:
            lines[i] = f'{match.group(1)}"{match.group(2)} (revised)"\n'
            break
    else:
        raise ValueError(f"{record}: no study label to edit")
    record.write_text("".join(lines), encoding="utf-8")
    return record


def render(rows: list[dict[str, object]], ref_s: float, loads: tuple[float, float]) -> str:
    keys = [k for k in rows[0] if k not in ("documents", "identical bytes")]
    lines = ["## Incremental build (`benchmarks/incremental.py`)", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
             f"{os.cpu_count()} cores shared with other jobs (load average {loads[0]:.1f} before, {loads[1]:.1f} "
             f"after), Python {platform.python_version()}; reference loop {ref_s:.2f} s (1.02 s on the idle "
             "machine of the build section). Each build is a fresh `vexas-kg build` process; the builds of one size "
             "ran one after the other in this order, so their ratios are comparable even when the absolute times "
             "are not.", "",
             "| build | " + " | ".join(f"{r['documents']} docs" for r in rows) + " |",
             "|---|" + "---|" * len(rows)]
    for key in keys:
        cells = []
        for r in rows:
            seconds = float(r[key])  # type: ignore[arg-type]
            cells.append(f"{seconds:.1f} s ({seconds / float(r['full build']):.2f}×)")  # type: ignore[arg-type]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines.append("| output after the edit byte-identical to the full build | "
                 + " | ".join("yes" if r["identical bytes"] else "**no**" for r in rows) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30,300")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    before = os.getloadavg()[0]
    ref_s = reference_seconds()
    with tempfile.TemporaryDirectory(prefix="vexas-kg-incremental-") as tmp:
        rows = [measure(int(n), Path(tmp)) for n in args.sizes.split(",")]
    section = render(rows, ref_s, (before, os.getloadavg()[0]))
    print(section if args.no_write else write_section("incremental", section))


if __name__ == "__main__":
    main()
