"""Kill -9 at random moments of ``build`` and ``export --format kgx`` into a folder holding a previous
output: the folder always holds the complete old or the complete new set, and no stray file survives
the next run's clean-up (bounded: 10 kills each)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vexas_kg.graph.export.formats import FORMATS
from vexas_kg.graph.store.output import JOURNAL, recover, write_set

KILLS = 10


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from vexas_kg.cli import run; run()", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() if p.is_file() else b"<folder>" for p in folder.iterdir()}


@pytest.mark.slow
@pytest.mark.parametrize("command, names", [
    (["build", "--out", "{out}"], ["vexas-kg.nt", "vexas-kg.ttl"]),
    (["export", "--format", "kgx", "--out", "{out}/vexas-kg"], sorted(name for name, _ in FORMATS["kgx"].default_files())),
])
def test_kill_at_random_moments_leaves_old_or_new_set(tmp_path: Path, command: list[str], names: list[str]) -> None:
    out = tmp_path / "out"
    args = [part.format(out=out) for part in command]
    began = time.monotonic()
    assert _start(args).wait(timeout=180) == 0
    duration = time.monotonic() - began
    new = _contents(out)
    assert sorted(new) == names
    old = {name: f"previous {name}\n".encode() for name in names}
    seed = random.randrange(1 << 30)
    chooser = random.Random(seed)
    outcomes = []
    for _ in range(KILLS):
        write_set({out / name: data for name, data in old.items()})
        process = _start(args)
        time.sleep(chooser.uniform(0.3, 1.1) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        visible = {name: data for name, data in _contents(out).items() if not name.startswith(".")}
        if not (out / JOURNAL).exists():
            assert visible in (old, new), f"a mixed set after a kill (seed {seed})"
        recover(out)  # what the next run into the folder does first
        after = _contents(out)
        assert after in (old, new), f"stray or mixed files after recovery (seed {seed}): {sorted(after)}"
        outcomes.append("new" if after == new else "old")
    assert sorted(os.listdir(out)) == names
    print(f"seed {seed}: {outcomes.count('old')} old, {outcomes.count('new')} new")
