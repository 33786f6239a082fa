"""Hostile records: a corpus of bombs, deep nesting, bad bytes and look-alike text, each refused with a
RecordError at its file and line; in a real process under a memory cap, never a crash or a traceback."""

from __future__ import annotations

import ast
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from vexas_kg.errors import RecordError
from vexas_kg.graph.builder.assemble import build_graph, read_checked
from vexas_kg.loaders.strict_text import MAX_INPUT_BYTES
from vexas_kg.loaders.yaml_strict import read_yaml

CORPUS = Path(__file__).parent / "hostile"
MEMORY_CAP = 1536 * 1024 * 1024


def _rows(name: str) -> list[list[str]]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


FILES = {row[0]: (int(row[1]), row[2]) for row in _rows("expected.tsv")}
EDITS = _rows("record-edits.tsv")


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(FILES) == sorted(p.name for p in CORPUS.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(FILES))
def test_hostile_yaml_is_refused_at_its_line(name: str) -> None:
    line, message = FILES[name]
    with pytest.raises(RecordError) as info:
        read_yaml(read_checked(CORPUS / name, name), name)
    assert info.value.location is not None and info.value.location.line == line, str(info.value)
    assert re.search(message, info.value.message), str(info.value)


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The CLI in a real process with its address space capped, so a bomb fails the test instead of the machine."""
    code = "from vexas_kg.cli import run; run()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_cap_memory, env={**os.environ, "PYTHONFAULTHANDLER": "1"})


@pytest.mark.parametrize("name", ["alias-bomb.yaml", "deep-50000-flow.yaml", "bad-byte-ff.yaml", "tag-python.yaml"])
def test_cli_refuses_hostile_records_without_a_crash(name: str) -> None:
    """These crashed before: 4 GB in 70 s (bomb), SIGSEGV (50,000 deep), tracebacks (0xff byte)."""
    result = run_capped("validate", str(CORPUS / name))
    line, message = FILES[name]
    assert result.returncode == 1, result.stderr
    assert f"{CORPUS / name}:{line}" in result.stderr, result.stderr
    assert re.search(message, result.stderr) and "Traceback" not in result.stderr, result.stderr


def test_a_huge_record_is_refused_by_size_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"document:\n  title: " + b"x" * (MAX_INPUT_BYTES + 1) + b"\n")
    with pytest.raises(RecordError, match=rf"huge.yaml:1: the file is \d+ bytes; the limit is {MAX_INPUT_BYTES}"):
        read_checked(huge, "huge.yaml")


def _unescape(text: str) -> bytes:
    """The TSV's text with Python escapes; ``\\xNN`` stands for the raw byte NN (for bad UTF-8)."""
    value: str = ast.literal_eval('"' + text.replace('"', '\\"') + '"')
    return value.encode("utf-8", "surrogateescape").replace("\u00ff".encode(), b"\xff") if "\\xff" in text \
        else value.encode("utf-8")


@pytest.mark.parametrize("row", EDITS, ids=[f"{row[0]}:{row[2][:30]}" for row in EDITS])
def test_hostile_edits_of_the_real_evidence_are_refused(row: list[str], evidence_copy: Path) -> None:
    file, old, new, where, message = row
    path = evidence_copy / file
    data = path.read_bytes()
    old_bytes = _unescape(old)
    assert old_bytes in data, f"fixture text not found in {file}: {old!r}"
    path.write_bytes(data.replace(old_bytes, _unescape(new), 1))
    with pytest.raises(RecordError) as info:
        build_graph(evidence_copy)
    assert re.match(where, str(info.value)), str(info.value)
    assert re.search(message, str(info.value)), str(info.value)
