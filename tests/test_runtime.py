"""Process settings: applied by the processes the project starts, never by importing it."""

from __future__ import annotations

import subprocess
import sys


def _thresholds(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_importing_the_library_leaves_the_collector_alone() -> None:
    default = _thresholds("import gc; print(gc.get_threshold())")
    after = _thresholds("import gc, vexas_kg.cli, vexas_kg.graph.serve.evaluator, vexas_kg.graph.query.named; "
                        "print(gc.get_threshold())")
    assert after == default


def test_the_console_script_tunes_it() -> None:
    from vexas_kg.runtime import YOUNG_COLLECTION_EVERY

    tuned = _thresholds("import gc, sys; import vexas_kg.cli as c; c.main = lambda: print(gc.get_threshold()); "
                        "c.run()")
    assert tuned.startswith(f"({YOUNG_COLLECTION_EVERY},")
