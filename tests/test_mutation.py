"""Every known mutant (``benchmarks/mutation/mutants.json``) is killed by the tests named for it.

Runs only with ``pytest --mutation`` (minutes); ``benchmarks/mutation/run.py`` runs the same
mutants from the command line and prints how each one died.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[1] / "benchmarks" / "mutation" / "run.py"


def _runner():
    spec = importlib.util.spec_from_file_location("mutation_run", RUNNER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_mutant_names_code_that_exists() -> None:
    """A refactoring that moves a mutant's text makes the mutant stale: this says so in the normal suite."""
    from importlib.util import find_spec

    for mutant in _runner().mutants():
        source = Path(find_spec(mutant["module"]).origin).read_text(encoding="utf-8")
        assert source.count(mutant["old"]) == 1, f"stale mutant {mutant['id']}: update benchmarks/mutation/mutants.json"
        for test in mutant["tests"]:
            assert (RUNNER.parents[2] / test.split("::")[0]).is_file(), test


@pytest.mark.slow
@pytest.mark.mutation
@pytest.mark.parametrize("mutant_id", [m["id"] for m in _runner().mutants()])
def test_mutant_is_killed(mutant_id: str) -> None:
    runner = _runner()
    [mutant] = [m for m in runner.mutants() if m["id"] == mutant_id]
    outcome = runner.run_one(mutant)
    assert outcome.verdict == "killed", f"{mutant_id} ({mutant['why']}): {outcome.verdict}: {outcome.detail}"
