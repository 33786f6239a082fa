"""Two nested synthetic corpora (3 and 30 generated documents), built once for the tests of this folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.builder.pipeline import checked_build
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synthetic import generate  # noqa: E402

SMALL, LARGE = 3, 30


@pytest.fixture(scope="session")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Build, OxigraphEngine, LabelIndex]]:
    """Both synthetic corpora, built with every check (so the generator's output is valid) and loaded."""
    out = {}
    for size in (SMALL, LARGE):
        build = checked_build(generate(tmp_path_factory.mktemp(f"evidence-{size}"), size))
        engine = OxigraphEngine.from_graph(build.graph)
        out[size] = (build, engine, LabelIndex.from_engine(engine))
    return out


