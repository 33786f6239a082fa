"""The property-based fuzzing of records (fuzz_records.py) runs in its own process with a memory cap and a
time bound, so an alias bomb or a hang would fail this test rather than take the machine."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

MEMORY_CAP = 2 * 1024 * 1024 * 1024
FUZZ = Path(__file__).with_name("fuzz_records.py")


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def test_fuzzed_records_load_or_fail_as_record_errors_within_a_memory_cap() -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(FUZZ)],
                            capture_output=True, text=True, timeout=600, preexec_fn=_cap, cwd=FUZZ.parents[2])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout, result.stdout[-2000:]
