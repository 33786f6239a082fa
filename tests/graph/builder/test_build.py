"""The build: complete, conforming, deterministic, atomic, and the same graph in both formats."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from vexas_kg.cli import main
from vexas_kg.errors import ShapeViolation
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.builder.pipeline import build_and_write, write_validated
from vexas_kg.ontology.vocab import VX, VXID


def assert_isomorphic(left: Graph, right: Graph) -> None:
    """Compare by isomorphism and print the difference (both / only left / only right) on failure."""
    if isomorphic(left, right):
        return
    _, only_left, only_right = graph_diff(to_isomorphic(left), to_isomorphic(right))
    lines = ["graphs differ", "only left:"] + sorted(f"  {t}" for t in only_left)
    lines += ["only right:"] + sorted(f"  {t}" for t in only_right)
    raise AssertionError("\n".join(lines[:80]))


def test_cli_build_prints_summary_and_writes_both_formats(tmp_path: Path, built: Build) -> None:
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"built {len(built.graph)} triples from {len(built.records)} documents; conforms")
    for name in ("Document", "Study", "Figure", "Claim", "Quote", "ReferenceEntry", "CitationMarker"):
        assert f"  {name:<20} {built.summary().get(name, 0)}\n" in result.output
    turtle = Graph().parse(tmp_path / "vexas-kg.ttl", format="turtle")
    ntriples = Graph().parse(tmp_path / "vexas-kg.nt", format="nt")
    assert_isomorphic(turtle, built.graph)
    assert_isomorphic(ntriples, built.graph)


def test_ntriples_are_sorted_and_blank_node_free(tmp_path: Path) -> None:
    CliRunner().invoke(main, ["build", "--out", str(tmp_path)])
    lines = (tmp_path / "vexas-kg.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    assert not any(line.startswith("_:") or " _:" in line for line in lines)


def test_two_builds_in_separate_processes_are_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "vexas_kg.cli", "build", "--out", str(out)], check=True, env=env,
                       capture_output=True)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert list(outputs[0]) == ["vexas-kg.nt", "vexas-kg.ttl"]
    assert outputs[0] == outputs[1]


def test_concurrent_and_sequential_builds_are_byte_identical(tmp_path: Path, built: Build) -> None:
    outputs = []
    for concurrent in (True, False):
        out = tmp_path / str(concurrent)
        result = build_and_write(out, concurrent=concurrent)
        assert [p.name for p in result.written] == ["vexas-kg.ttl", "vexas-kg.nt"]
        assert result.report().startswith(f"built {len(built.graph)} triples from 3 documents; conforms")
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert outputs[0]["vexas-kg.nt"].decode("utf-8") == "".join(
        sorted(built.graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines(keepends=True)))


@pytest.mark.parametrize("concurrent", [True, False])
def test_a_shape_violation_writes_nothing(tmp_path: Path, built: Build, concurrent: bool) -> None:
    """A graph that passed the loaders but breaks a shape: ShapeViolation with the report, no file."""
    graph = Graph()
    graph += built.graph
    figure = VXID["doc/000/figure/anakinra-overall-response"]
    assert (figure, VX.hasQuote, None) in graph
    graph.remove((figure, VX.hasQuote, None))
    out = tmp_path / "out"
    with pytest.raises(ShapeViolation) as caught:
        write_validated(set(graph), out, concurrent=concurrent)
    assert str(caught.value) == "the graph does not conform to the shapes (1 problems)"
    assert f"- {figure}\n    vx:hasQuote: provenance required" in caught.value.report
    assert not out.exists()


def test_validate_without_paths_checks_the_packaged_evidence() -> None:
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("conforms: yes")
    assert "checked: records/004.yaml" in result.output


def test_validate_rdf_file_reports_violations(tmp_path: Path) -> None:
    bad = tmp_path / "figure.ttl"
    bad.write_text(
        "@prefix vx: <https://w3id.org/vexas-kg/vocab#> .\n"
        "<https://example.org/f> a vx:Figure .\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "conforms: no" in result.output
    assert "vx:hasQuote: provenance required: every item carries at least one verbatim quote" in result.output


def test_validate_rdf_file_without_the_vocabulary(tmp_path: Path, built: Build) -> None:
    """A data-only export conforms: validation reads the subclass axioms from the shipped vocabulary."""
    data_only = tmp_path / "data.nt"
    data = Graph()
    for triple in built.graph:
        if triple not in built.ontology:
            data.add(triple)
    data.serialize(data_only, format="nt", encoding="utf-8")
    assert len(data) < len(built.graph)
    result = CliRunner().invoke(main, ["validate", str(data_only)])
    assert result.exit_code == 0, result.output
    assert result.output == f"checked: {data_only}\nconforms: yes\n"


def test_validate_accepts_a_record_file(tmp_path: Path) -> None:
    from importlib.resources import files

    record = tmp_path / "004.yaml"
    record.write_text(files("vexas_kg.evidence").joinpath("records", "004.yaml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(record)])
    assert result.exit_code == 0, result.output
    assert f"checked: {record}" in result.output
