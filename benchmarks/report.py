"""The one place benchmark scripts write their results (a marked section of docs/benchmarks.md), and the
machine-speed figure each section states beside its numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(name: str, body: str) -> str:
    """Replace the ``<!-- name:start -->`` … ``<!-- name:end -->`` section (or append it); return it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{body.strip()}\n\n{end}"
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    REPORT.write_text(text, encoding="utf-8")
    return section


def reference_seconds() -> float:
    """A fixed pure-Python workload (10^7 additions) in a fresh process: roughly how fast the machine is now.

    The 2-core VM's speed varies over the day by tens of percent; this number gives a report its context.
    """
    code = "import time\nt = time.perf_counter()\ns = 0\nfor i in range(10**7): s += i\nprint(time.perf_counter() - t)"
    return min(float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
               for _ in range(3))
