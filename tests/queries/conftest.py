"""Shared fixtures for the query tests: both in-process engines on the built graph, the label
index, and the golden-file check (fails on any difference; rewritten only with --regen-golden)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Callable

import pytest

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, RdflibEngine

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="session")
def oxigraph(built: Build) -> OxigraphEngine:
    return OxigraphEngine.from_graph(built.graph)


@pytest.fixture(scope="session")
def rdflib_engine(built: Build) -> RdflibEngine:
    return RdflibEngine(built.graph)


@pytest.fixture(scope="session")
def labels(oxigraph: OxigraphEngine) -> LabelIndex:
    return LabelIndex.from_engine(oxigraph)


@pytest.fixture(scope="session")
def golden(regen_golden: bool) -> Callable[[str, str], None]:
    """Compare ``text`` with ``golden/<name>`` exactly; with --regen-golden, write it instead."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if regen_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        if not path.is_file():
            raise AssertionError(f"no golden file {path}; run pytest --regen-golden and review it")
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = difflib.unified_diff(expected.splitlines(), text.splitlines(), f"golden/{name}", "now", lineterm="")
            raise AssertionError(f"{name} differs from its golden file:\n" + "\n".join(list(diff)[:60]))

    return check
