"""Mutation run: plant each known mutant (``mutants.json``) and run the tests that must kill it.

Each mutant is a text replacement in one module, applied at import time in every Python
process of its test run (``sitecustomize.py`` here, on PYTHONPATH), so the checkout is never
edited. A mutant is killed when its tests fail; it survives when they pass. Exit code 0 only
if every mutant is killed (a stale mutant, whose text is no longer in the code, is an error).

    .venv/bin/python benchmarks/mutation/run.py [MUTANT-ID ...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@dataclass(frozen=True)
class Outcome:
    mutant: str
    verdict: str  # killed, survived, error
    seconds: float
    detail: str


def mutants() -> list[dict]:
    return json.loads((HERE / "mutants.json").read_text(encoding="utf-8"))


def run_one(mutant: dict) -> Outcome:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
           "VEXAS_KG_MUTANT": json.dumps({k: mutant[k] for k in ("module", "old", "new")})}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutant["tests"]],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    output = result.stdout + result.stderr
    if "stale mutant" in output:
        return Outcome(mutant["id"], "error", seconds, "stale mutant: its text is no longer in the code")
    if result.returncode == 1:
        failed = [line for line in output.splitlines() if line.startswith("FAILED")]
        return Outcome(mutant["id"], "killed", seconds, failed[0] if failed else "tests failed")
    if result.returncode == 0:
        return Outcome(mutant["id"], "survived", seconds, "every test passed")
    return Outcome(mutant["id"], "error", seconds, output.strip().splitlines()[-1] if output.strip() else "")


def main(selected: list[str]) -> int:
    chosen = [m for m in mutants() if not selected or m["id"] in selected]
    outcomes = []
    for mutant in chosen:
        outcome = run_one(mutant)
        outcomes.append(outcome)
        print(f"{outcome.verdict:<9} {outcome.mutant:<32} {outcome.seconds:6.1f} s  {outcome.detail}", flush=True)
    killed = sum(o.verdict == "killed" for o in outcomes)
    print(f"{killed} of {len(outcomes)} mutants killed")
    return 0 if killed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
