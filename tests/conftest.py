"""Shared fixtures: one checked build per session, and scratch copies of the evidence."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

import pytest

from vexas_kg.graph.builder.assemble import Build


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing (review the diff!)",
    )
    parser.addoption("--mutation", action="store_true", default=False,
                     help="also run the mutation test (plants every known mutant; several minutes)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--mutation"):
        return
    skip = pytest.mark.skip(reason="the mutation run takes minutes: pytest --mutation (or benchmarks/mutation/run.py)")
    for item in items:
        if "mutation" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture(scope="session")
def built() -> Build:
    """The packaged evidence, built, complete and conforming (shared: treat as read-only)."""
    from vexas_kg.graph.builder.pipeline import checked_build

    return checked_build()


@pytest.fixture()
def evidence_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged evidence folder, for bad-input tests."""
    with as_file(files("vexas_kg.evidence")) as source:
        target = tmp_path / "evidence"
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target
