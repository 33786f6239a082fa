"""Every export format writes the same bytes in every process.

Python salts its string hashes per process, so an output that follows the iteration order of a
set or of rdflib's store changes from run to run; two processes with different hash seeds
catch it (the JSON-LD export did, until its arrays were sorted).
"""

from __future__ import annotations

import os
import subprocess
import sys

from vexas_kg.graph.export.formats import FORMATS

SCRIPT = """
import hashlib, sys
from pathlib import Path
from vexas_kg.graph.builder.pipeline import checked_build
from vexas_kg.graph.export.formats import FORMATS, ExportRequest
build = checked_build()
request = ExportRequest(query="evidence-overview")
for name, spec in sorted(FORMATS.items()):
    files = spec.write(build, Path(spec.filename), request)
    for path, data in sorted(files.items()):
        data = data.encode("utf-8") if isinstance(data, str) else data
        print(name, path, hashlib.sha256(data).hexdigest())
"""


def _digests(seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def test_every_format_is_byte_identical_across_processes() -> None:
    first, second = _digests("1"), _digests("2")
    assert {line.split()[0] for line in first} == set(FORMATS)
    assert first == second
