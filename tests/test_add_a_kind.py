"""docs/model.md, "How to add a kind", followed step by step with a test-only kind.

The kind ("observation": a sentence a document prints, with its quote) is added the way the
recipe says — its class in the vocabulary, a shape, one registry row, one loader function —
and nothing else. The test then checks that it travels everywhere a kind should: build,
validation, labels, short ids, the provenance trail, the network view and the KGX export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from rdflib import RDF, RDFS, URIRef

from vexas_kg import model
from vexas_kg import ontology
from vexas_kg.graph.builder import validate
from vexas_kg.graph.builder.assemble import build_graph
from vexas_kg.graph.export.kgx import to_kgx
from vexas_kg.graph.export.network import evidence_network
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine
from vexas_kg.graph.query.trail import render, trace
from vexas_kg.loaders.evidence import RecordLoader
from vexas_kg.loaders.fields import Fields
from vexas_kg.ontology import iris, read_text
from vexas_kg.ontology.vocab import VX

OBSERVATION = URIRef(str(VX._NS) + "Observation")
QUOTE = "New research at ACR Convergence 2023, the American College of Rheumatology's (ACR) annual meeting"

# Step 1: the class, with the label people read.
VOCABULARY = f"""
<{OBSERVATION}> a <http://www.w3.org/2002/07/owl#Class> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "observation" ;
    <http://www.w3.org/2000/01/rdf-schema#comment> "Test-only kind: a sentence a document prints." .
"""
# Step 2: its shape.
SHAPES = f"""
<https://w3id.org/vexas-kg/shapes#ObservationShape> a <http://www.w3.org/ns/shacl#NodeShape> ;
    <http://www.w3.org/ns/shacl#targetClass> <{OBSERVATION}> ;
    <http://www.w3.org/ns/shacl#property> [
        <http://www.w3.org/ns/shacl#path> <{VX.hasQuote}> ; <http://www.w3.org/ns/shacl#minCount> 1 ] .
"""


# Step 4: one loader function.
def load_observation(loader: RecordLoader, f: Fields) -> None:
    slug = f.slug("id") or ""
    node = iris.item_iri(loader.out.doc_id, "observation", slug)
    loader.provide("item", f"{loader.out.doc_id}:{slug}", node, f.where("id"))
    loader.add(node, RDF.type, OBSERVATION)
    loader.add(node, VX.inDocument, loader.doc)
    text, _ = loader.quoted(node, f)
    loader.lit(node, RDFS.label, text)


@pytest.fixture()
def observation_kind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[model.Kind]:
    # Steps 1 and 2 edit the shipped vexas.ttl and shapes.ttl; here, copies of them with the additions.
    ontology_dir = tmp_path / "ontology"
    ontology_dir.mkdir()
    for name in ("vexas.ttl", "shapes.ttl", "context.jsonld"):
        extra = {"vexas.ttl": VOCABULARY, "shapes.ttl": SHAPES}.get(name, "")
        (ontology_dir / name).write_text(read_text(name) + extra, encoding="utf-8")
    monkeypatch.setattr(ontology, "files", lambda package: ontology_dir)
    _clear_caches()
    # Step 3: one registry row.
    row = model.Kind("observation", OBSERVATION, "observation", "observation", model.RECORD, "observations",
                     load_observation, labelled=True, traceable=True, network="observation",
                     kgx="biolink:InformationContentEntity", report=True)
    remove = model.register(row)
    yield row
    remove()
    monkeypatch.undo()
    _clear_caches()


def _clear_caches() -> None:
    """The vocabulary and shapes are read once per process; re-read them with and without the kind."""
    model._vocabulary.cache_clear()
    validate.authored_shapes.cache_clear()
    validate.shapes_graph.cache_clear()


@pytest.fixture()
def evidence_with_observation(evidence_copy: Path) -> Path:
    record = evidence_copy / "records" / "004.yaml"
    record.write_text(record.read_text(encoding="utf-8")
                      + f"\nobservations:\n  - id: acr-meeting\n    quote: \"{QUOTE}\"\n", encoding="utf-8")
    return evidence_copy


def test_a_new_kind_travels_through_build_labels_trail_network_and_kgx(
        observation_kind: model.Kind, evidence_with_observation: Path) -> None:
    build = build_graph(evidence_with_observation)
    node = iris.item_iri("004", "observation", "acr-meeting")
    assert (node, RDF.type, OBSERVATION) in build.triples

    report = validate.validate_triples(build.triples)
    assert report.conforms, report.text()

    engine = OxigraphEngine.from_graph(build.graph)
    labels = LabelIndex.from_engine(engine)
    assert labels.lookup("004:acr-meeting") == {str(node)}
    assert labels.lookup(QUOTE) == {str(node)}
    assert model.short_id(str(node)) == "004:acr-meeting"

    root = trace("004:acr-meeting", engine, labels)
    assert root.node == str(node)
    printed = render(root)
    assert printed.splitlines()[0].startswith("004:acr-meeting: ") and "(observation)" in printed.splitlines()[0]
    assert QUOTE in " ".join(printed.split()), printed

    view = evidence_network(build.graph)
    assert view.nodes[str(node)]["kind"] == "observation"

    kgx = to_kgx(build)
    categories = {n["iri"]: n["category"] for n in kgx.nodes}
    assert categories[str(node)] == ["biolink:InformationContentEntity"]


def test_a_registered_kind_joins_the_class_lists(observation_kind: model.Kind) -> None:
    assert model.kind("observation") is observation_kind
    assert OBSERVATION in model.class_list("traceable")


def test_without_its_row_the_section_is_an_error(evidence_with_observation: Path) -> None:
    from vexas_kg.errors import RecordError

    with pytest.raises(RecordError, match="observations"):
        build_graph(evidence_with_observation)

