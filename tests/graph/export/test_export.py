"""Exports: every file written atomically, re-read, and (for whole-graph formats) isomorphic to the build."""

from __future__ import annotations

import csv
import io
import json
import socket
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from vexas_kg.cli import main
from vexas_kg.errors import UsageError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.formats import FORMATS, ExportRequest, export
from vexas_kg.graph.export.rdf import (ONTOLOGY_GRAPH, SHARED_GRAPH, document_graph_name, document_graphs,
                                       jsonld_context, to_jsonld)
from vexas_kg.graph.export.void import DATASET
from vexas_kg.graph.query.named import engine_for, run_named
from vexas_kg.graph.query.results import format_results
from vexas_kg.ontology import read_text
from vexas_kg.ontology.vocab import VX, VXID
from vexas_kg.queries import catalog

WHOLE_GRAPH = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "trig": "trig", "nquads": "nquads"}


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Make any attempt to open a network connection fail loudly (and record it)."""
    attempts: list[tuple] = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def union_of(dataset: Dataset) -> Graph:
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def test_whole_graph_flags_match() -> None:
    assert {name for name, spec in FORMATS.items() if spec.whole_graph} == set(WHOLE_GRAPH)


@pytest.mark.parametrize("fmt", sorted(WHOLE_GRAPH))
def test_whole_graph_formats_reparse_to_the_build(fmt: str, built: Build, tmp_path: Path, assert_same_graph,
                                                  no_network) -> None:
    [path] = export(built, fmt, out_dir=tmp_path)
    assert path == tmp_path / FORMATS[fmt].filename
    if fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(path, format=WHOLE_GRAPH[fmt])
        reread = union_of(dataset)
    else:
        reread = Graph().parse(path, format=WHOLE_GRAPH[fmt])
    assert len(reread) == len(built.graph)
    assert_same_graph(reread, built.graph)
    assert no_network == []


@pytest.mark.parametrize("fmt", sorted(WHOLE_GRAPH))
def test_whole_graph_formats_also_parse_in_oxigraph(fmt: str, built: Build, tmp_path: Path) -> None:
    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
               "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
    [path] = export(built, fmt, out_dir=tmp_path)
    quads = list(ox.parse(path=str(path), format=formats[fmt]))
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == len(built.graph)


@pytest.mark.parametrize("fmt", sorted(FORMATS.keys() - {"csv"}))
def test_exports_are_byte_identical_across_runs(fmt: str, built: Build, tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in export(built, fmt, out_dir=tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in export(built, fmt, out_dir=tmp_path / "b")}
    assert first == second


def test_jsonld_embeds_the_shipped_context(built: Build, tmp_path: Path) -> None:
    [path] = export(built, "jsonld", out_dir=tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["@context"] == json.loads(read_text("context.jsonld"))["@context"] == jsonld_context()
    assert "@graph" in data


def test_jsonld_does_not_depend_on_the_order_the_triples_were_added(built: Build) -> None:
    """The export sorts its JSON arrays itself (it no longer serializes a sorted copy of the graph):
    a graph filled in the opposite order gives the same bytes."""
    triples = sorted(built.graph)
    forward, backward = Graph(), Graph()
    for triple in triples:
        forward.add(triple)
    for triple in reversed(triples):
        backward.add(triple)
    assert to_jsonld(forward) == to_jsonld(backward) == to_jsonld(built.graph)


def test_trig_has_one_graph_per_document_plus_ontology_and_shared(built: Build, tmp_path: Path) -> None:
    [path] = export(built, "trig", out_dir=tmp_path)
    dataset = Dataset()
    dataset.parse(path, format="trig")
    names = {g.identifier for g in dataset.graphs() if len(g)}
    expected = {ONTOLOGY_GRAPH, SHARED_GRAPH} | {document_graph_name(r.doc_id) for r in built.records}
    assert names == expected
    ontology = Graph().parse(data=read_text("vexas.ttl"), format="turtle")
    assert set(dataset.graph(ONTOLOGY_GRAPH)) == set(ontology)


def test_each_document_graph_holds_what_its_record_asserts(built: Build) -> None:
    graphs = dict(document_graphs(built))
    for loaded in built.records:
        graph = graphs[document_graph_name(loaded.doc_id)]
        plain = {t for t in loaded.triples if not isinstance(t[0], tuple) and not isinstance(t[2], tuple)}
        assert plain <= set(graph)
        assert len(graph) == len(set(loaded.triples))
        own = str(VXID[f"doc/{loaded.doc_id}"])
        for s, p, _ in graph:
            if str(s).startswith(str(VXID["doc/"])) and p != VX.supports:
                assert str(s) == own or str(s).startswith(own + "/"), f"{s} asserted in document {loaded.doc_id}"


def test_shared_graph_is_what_no_document_asserts(built: Build) -> None:
    graphs = dict(document_graphs(built))
    asserted = set().union(*(set(g) for name, g in graphs.items() if name != SHARED_GRAPH))
    assert set(graphs[SHARED_GRAPH]) == set(built.graph) - asserted
    drugs = set(built.graph.subjects(RDF.type, VX.Drug))
    assert drugs and all((d, RDF.type, VX.Drug) in graphs[SHARED_GRAPH] for d in drugs)


def test_csv_of_every_named_query_matches_the_query(built: Build, tmp_path: Path) -> None:
    queries = [name for name, q in catalog().items() if not any(p.required for p in q.parameters)]
    assert queries, "the catalog has no query without required parameters"
    engine = engine_for(built.graph)
    for name in queries:
        [path] = export(built, "csv", request=ExportRequest(name), out_dir=tmp_path)
        assert path == tmp_path / f"{name}.csv"
        text = path.read_bytes().decode("utf-8")
        assert text == format_results(run_named(name, {}, engine), "csv")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == len(run_named(name, {}, engine).rows) + 1


def test_csv_needs_a_query(built: Build, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs --query"):
        export(built, "csv", out_dir=tmp_path)


def test_a_failed_export_leaves_the_old_file_and_no_temporary_files(built: Build, tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(UsageError):
        export(built, "csv", target, ExportRequest("no-such-query"))
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.csv"]


def test_void_description_matches_the_build(built: Build, tmp_path: Path) -> None:
    [path] = export(built, "void", out_dir=tmp_path)
    void = Graph().parse(path, format="turtle")
    assert void.value(DATASET, VOID.triples) == Literal(len(built.graph), datatype=XSD.integer)
    assert str(void.value(DATASET, URIRef(f"{DCAT}version"))) == version("vexas-kg")
    licence = built.graph.value(URIRef("https://w3id.org/vexas-kg/vocab"), DCTERMS.license)
    assert licence is not None and void.value(DATASET, DCTERMS.license) == licence
    classes = Counter(built.graph.objects(None, RDF.type))
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
                  for p in void.objects(DATASET, VOID.classPartition)}
    assert partitions == dict(classes)
    assert set(void.objects(DATASET, DCTERMS.source)) == set(built.graph.subjects(RDF.type, VX.Document))
    subsets = {s: int(void.value(s, VOID.triples)) for s in void.objects(DATASET, VOID.subset)}
    assert subsets == {name: len(g) for name, g in document_graphs(built)}


def test_void_lists_every_export_as_a_distribution_beside_it(built: Build, tmp_path: Path) -> None:
    written = set()
    for fmt in FORMATS.keys() - {"csv"}:
        written.update(export(built, fmt, out_dir=tmp_path))
    description = tmp_path / FORMATS["void"].filename
    void = Graph().parse(description, format="turtle", publicID=description.as_uri())
    downloads = {URIRef(Path(p).as_uri()) for p in written if p != description}
    listed = {}
    for distribution in void.objects(DATASET, DCAT.distribution):
        [url] = void.objects(distribution, DCAT.downloadURL)
        listed[url] = str(void.value(distribution, DCAT.mediaType))
    assert set(listed) == downloads
    dumps = set(void.objects(DATASET, VOID.dataDump))
    assert dumps == {URIRef((tmp_path / FORMATS[f].filename).as_uri()) for f in WHOLE_GRAPH}
    assert listed[URIRef((tmp_path / "vexas-kg.ttl").as_uri())] == "text/turtle"
    assert "<vexas-kg.ttl>" in description.read_text(encoding="utf-8")  # relative: resolves beside the file


def test_cli_export_writes_files(tmp_path: Path) -> None:
    runner = CliRunner()
    for fmt in ("trig", "kgx", "support"):  # every format is checked through the API above
        out = tmp_path / f"export-{fmt}"
        result = runner.invoke(main, ["export", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        written = [Path(line[len("wrote "):]) for line in result.output.splitlines() if line.startswith("wrote ")]
        assert written and all(p.is_file() and p.stat().st_size > 0 for p in written)


def test_cli_export_help_lists_every_format() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0
    help_text = " ".join(result.output.split())
    for fmt in FORMATS:
        assert fmt in help_text


def test_cli_export_csv_of_a_named_query(tmp_path: Path, built: Build) -> None:
    name = next(n for n, q in catalog().items() if not any(p.required for p in q.parameters))
    out = tmp_path / "rows.csv"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--query", name, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode("utf-8") == format_results(run_named(name, {}, engine_for(built.graph)), "csv")


@pytest.mark.parametrize("args, message", [
    (["--format", "bogus"], "unknown export format 'bogus'"),
    (["--format", "csv"], "needs --query"),
    (["--format", "turtle", "--query", "x"], "belong to --format csv"),
    (["--format", "csv", "--query", "no-such-query"], "no named query 'no-such-query'"),
])
def test_cli_export_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["export", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
