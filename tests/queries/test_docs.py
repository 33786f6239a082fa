"""docs/queries.md shows real output: every `$ vexas-kg ...` example is re-run and compared
(and rewritten in place, only with --regen-golden)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from vexas_kg.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "queries.md"
EXAMPLE = re.compile(r"```console\n\$ (?P<command>[^\n]*)\n(?P<output>.*?)```", re.S)
EXAMPLES = [(m.group("command"), m.group("output")) for m in EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))]


def test_every_named_query_has_an_example() -> None:
    shown = " ".join(command for command, _ in EXAMPLES)
    for name in ("comparative-efficacy", "alternatives-after-failure", "treatment-for-presentation",
                 "safety-profile", "contrasts", "evidence-gaps", "citation-audit", "study-summary",
                 "evidence-overview"):
        assert f"query {name}" in shown
    assert "trace 000:" in shown


def run_example(command: str) -> str:
    """What the command prints (stdout and stderr, as a terminal shows them), cut by ``| head -n N``."""
    head = re.match(r"^(?P<command>.*) \| head -n (?P<lines>\d+)$", command)
    args = shlex.split(head.group("command") if head else command)
    assert args[0] == "vexas-kg"
    text = CliRunner().invoke(main, args[1:]).output
    return "".join(text.splitlines(keepends=True)[: int(head.group("lines"))]) if head else text


@pytest.mark.parametrize(("command", "output"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_the_example_output_is_current(command: str, output: str, monkeypatch: pytest.MonkeyPatch,
                                       regen_golden: bool) -> None:
    if regen_golden:
        pytest.skip("rewritten by test_regenerate_examples")
    monkeypatch.chdir(ROOT)
    assert run_example(command) == output, f"docs/queries.md is out of date for: {command}"


def test_regenerate_examples(monkeypatch: pytest.MonkeyPatch, regen_golden: bool) -> None:
    if not regen_golden:
        pytest.skip("only with --regen-golden")
    monkeypatch.chdir(ROOT)
    text = EXAMPLE.sub(lambda m: f"```console\n$ {m.group('command')}\n{run_example(m.group('command'))}```",
                       DOC.read_text(encoding="utf-8"))
    DOC.write_text(text, encoding="utf-8")
