"""The RDF exports read by an independent parser: Raptor's `rapper` (Debian `raptor2-utils`,
installed by scripts/setup where it can; skipped where it is missing)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.formats import export

RAPPER = shutil.which("rapper")
SYNTAX = {"turtle": "turtle", "ntriples": "ntriples", "trig": "trig", "nquads": "nquads", "nanopub": "trig",
          "void": "turtle"}


@pytest.mark.skipif(RAPPER is None, reason="rapper (raptor2-utils) is not installed")
@pytest.mark.parametrize("fmt", sorted(SYNTAX))
def test_rapper_parses_the_export(fmt: str, built: Build, tmp_path: Path) -> None:
    [path] = export(built, fmt, out_dir=tmp_path)
    done = subprocess.run([RAPPER, "-i", SYNTAX[fmt], "-c", str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not re.search(r"error|warning", done.stderr, re.IGNORECASE), done.stderr
    count = int(re.search(r"Parsing returned (\d+)", done.stderr).group(1))
    if fmt in ("turtle", "ntriples"):
        assert count == len(built.graph)
    assert count > 0
