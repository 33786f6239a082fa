"""The jobs behind ``vexas-kg build`` and ``vexas-kg validate``: build, check, validate, write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from vexas_kg import model
from vexas_kg.errors import Location, RecordError, ShapeViolation
from vexas_kg.graph.builder.worker import Worker
from vexas_kg.graph.builder.assemble import Build, build_graph
from vexas_kg.graph.builder.rdf_input import parse_rdf
from vexas_kg.graph.builder.completeness import Uncovered, uncovered_numbers
from vexas_kg.model import Triple
from vexas_kg.graph.store.output import write_set
from vexas_kg.graph.store.serialize import to_ntriples, to_turtle
from vexas_kg.graph.store.oxigraph import parse_turtle
from vexas_kg.graph.builder.validate import Report, prepare_validation, validate_graph, validate_triples
from vexas_kg.ontology import read_text

GRAPH_NAME = "vexas-kg"


@dataclass
class BuildSummary:
    """What the build report counts: triples, documents and instances per class name."""

    triples: int
    documents: int
    classes: dict[str, int]


@dataclass
class BuildResult:
    """A validated build and the files it wrote."""

    build: Build | None
    """The build (None from the incremental build, which never holds the whole graph)."""
    written: list[Path]
    cache_note: str = ""
    """What the build cache gave (a cached build only)."""
    summary: BuildSummary | None = None

    def __post_init__(self) -> None:
        if self.summary is None and self.build is not None:
            self.summary = BuildSummary(len(self.build.triples), len(self.build.records), self.build.summary())

    def report(self) -> str:
        assert self.summary is not None
        counts = self.summary.classes
        main = [k.cls.fragment for k in model.kinds() if k.report]
        lines = [f"built {self.summary.triples} triples from {self.summary.documents} documents; conforms to the shapes"]
        lines += [f"  {name:<20} {counts.get(name, 0)}" for name in main]
        others = {k: v for k, v in counts.items() if k not in main}
        lines.append("  per class: " + ", ".join(f"{k} {v}" for k, v in others.items()))
        if self.cache_note:
            lines.append(self.cache_note)
        lines += [f"wrote {path}" for path in self.written]
        return "\n".join(lines)


def checked_build(evidence: Path | None = None) -> Build:
    """Build, then require completeness and conformance; raise on any problem."""
    build = build_graph(evidence)
    require_complete(build)
    require_conformance(validate_graph(build.graph))
    return build


def require_complete(build: Build) -> None:
    """Raise unless every printed number is quoted or listed as page furniture."""
    require_covered(uncovered_numbers(build))


def require_covered(missing: list[Uncovered]) -> None:
    """Raise on the numbers no quote or furniture entry covers (all documents' sources, in document order)."""
    if missing:
        first = missing[0]
        raise RecordError(
            f"{len(missing)} printed numbers are neither quoted nor listed as furniture; first: "
            f"{first.number!r} at offset {first.start} in '...{first.context}...'",
            Location(f"records/{first.doc_id}.yaml", 0, "furniture"),
        )


def require_conformance(report: Report) -> None:
    """Raise ShapeViolation, with the readable report, unless the graph conforms."""
    if not report.conforms:
        raise ShapeViolation(f"the graph does not conform to the shapes ({len(report.results)} problems)", report.text())


def build_and_write(out_dir: Path, evidence: Path | None = None, *, concurrent: bool = True) -> BuildResult:
    """The main job: a checked build written as sorted Turtle and N-Triples, atomically.

    With ``concurrent`` (and where forking is safe, see ``background``) a worker process
    is started first: it imports pySHACL and reads the shapes while this process loads
    the records, then validates their triples while this process serialises them. The
    files are written only once the worker reports that the graph conforms. The result
    is the same either way.
    """
    with Worker(validate_triples, prepare=prepare_validation, fork=concurrent) as validation:
        build = build_graph(evidence)
        require_complete(build)
        return BuildResult(build, _write_validated(build.triples, out_dir, validation))


def write_validated(triples: set[Triple], out_dir: Path, *, concurrent: bool = True) -> list[Path]:
    """Validate ``triples`` and write them; on a violation raise ShapeViolation and write nothing."""
    with Worker(validate_triples, prepare=prepare_validation, fork=concurrent) as validation:
        return _write_validated(triples, out_dir, validation)


def _write_validated(triples: set[Triple], out_dir: Path, validation: Worker[list[Triple], Report]) -> list[Path]:
    validation.send(list(triples))
    files = {
        out_dir / f"{GRAPH_NAME}.ttl": to_turtle(triples),
        out_dir / f"{GRAPH_NAME}.nt": to_ntriples(triples),
    }
    require_conformance(validation.result())
    write_set(files)
    return list(files)


def validate_paths(paths: list[Path]) -> Report:
    """Validate records or RDF files; with no path, the packaged evidence.

    Record files are built together with the packaged evidence (each replacing the
    packaged record of its document), so their references resolve and the whole graph
    is what gets validated. RDF files are validated together with the vocabulary: the
    shapes read its subclass axioms and term schemes, which a data-only file leaves out.
    """
    records = [p for p in paths if p.suffix.lower() in (".yaml", ".yml")]
    graph = Graph()
    if records or not paths:
        build = build_graph(replacements=records)
        graph += build.graph
    else:
        graph += parse_turtle(read_text("vexas.ttl"))
    for path in paths:
        if path not in records:
            graph += parse_rdf(path)
    report = validate_graph(graph)
    report.checked = [str(p) for p in paths] or [f"records/{loaded.doc_id}.yaml" for loaded in build.records]
    return report
