"""Nanopublication export: every claim and figure is one nanopublication that the `nanopub`
library (PyPI) accepts as well-formed, and that follows the structural rules of the
nanopublication guidelines, checked here one by one (the library checks only some)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nanopub import Nanopub, NanopubConf
from nanopub.utils import MalformedNanopubError
from rdflib import ConjunctiveGraph, Dataset, Graph, URIRef
from rdflib.namespace import PROV, RDF

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.formats import export
from vexas_kg.graph.export.nanopub import NP, PROVENANCE_PREDICATES, nanopub_iri
from vexas_kg.ontology.vocab import OA, VX

HEAD_PREDICATES = {RDF.type, NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo}


@pytest.fixture(scope="module")
def dataset(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    [path] = export(built, "nanopub", out_dir=tmp_path_factory.mktemp("nanopub"))
    data = Dataset()
    data.parse(path, format="trig")
    return data


@pytest.fixture(scope="module")
def nanopubs(dataset: Dataset) -> dict[URIRef, dict[str, Graph]]:
    """Each nanopublication's four graphs, found through the heads."""
    found = {}
    for np, _, _, head in dataset.quads((None, RDF.type, NP.Nanopublication, None)):
        head_graph = dataset.graph(head)
        found[np] = {"head": head_graph, **{name: dataset.graph(head_graph.value(np, predicate))
                                            for name, predicate in (("assertion", NP.hasAssertion),
                                                                    ("provenance", NP.hasProvenance),
                                                                    ("pubinfo", NP.hasPublicationInfo))}}
    return found


def test_one_nanopublication_per_claim_and_per_figure(built: Build, nanopubs) -> None:
    items = set(built.graph.subjects(RDF.type, VX.Claim)) | set(built.graph.subjects(RDF.type, VX.Figure))
    assert set(nanopubs) == {nanopub_iri(i) for i in items}


def as_conjunctive(graphs: dict[str, Graph], leave_out: set[tuple] = frozenset()) -> ConjunctiveGraph:
    """nanopub 2.0 reads a ConjunctiveGraph (deprecated in rdflib 7, hence the filter below)."""
    conjunctive = ConjunctiveGraph()
    for graph in graphs.values():
        for triple in graph:
            if triple not in leave_out:
                conjunctive.add((*triple, graph.identifier))
    return conjunctive


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_the_nanopub_library_accepts_each_one(nanopubs) -> None:
    for np, graphs in nanopubs.items():
        publication = Nanopub(rdf=as_conjunctive(graphs), conf=NanopubConf())
        assert publication.is_valid
        assert str(publication.metadata.np_uri) == str(np)
        assert len(publication.assertion) == len(graphs["assertion"])


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_the_library_check_is_not_a_formality(nanopubs) -> None:
    graphs = next(iter(nanopubs.values()))
    about_assertion = set(graphs["provenance"].triples((graphs["assertion"].identifier, None, None)))
    with pytest.raises(MalformedNanopubError, match="provenance graph should contain"):
        assert Nanopub(rdf=as_conjunctive(graphs, about_assertion), conf=NanopubConf()).is_valid


def test_guideline_structure(dataset: Dataset, nanopubs) -> None:
    names_in_file = {g.identifier for g in dataset.graphs() if len(g)}
    expected = set()
    for np, graphs in nanopubs.items():
        head = graphs["head"]
        names = [g.identifier for g in graphs.values()]
        assert len(set(names)) == 4 and np not in names
        assert all(str(name).startswith(f"{np}/") for name in names)
        assert set(head) == {(np, RDF.type, NP.Nanopublication), (np, NP.hasAssertion, names[1]),
                             (np, NP.hasProvenance, names[2]), (np, NP.hasPublicationInfo, names[3])}
        assert all(len(graphs[name]) for name in ("assertion", "provenance", "pubinfo"))
        assert any(s == graphs["assertion"].identifier for s in graphs["provenance"].subjects())
        assert any(s == np for s in graphs["pubinfo"].subjects())
        expected.update(names)
    assert names_in_file == expected  # no triple outside a nanopublication, nothing in the default graph
    assert len(dataset.default_graph) == 0


def test_assertion_states_provenance_traces(built: Build, nanopubs) -> None:
    g = built.graph
    for np, graphs in nanopubs.items():
        assertion, provenance = graphs["assertion"], graphs["provenance"]
        item = next(s for s in assertion.subjects(RDF.type) if nanopub_iri(s) == np)
        assert not any(p in PROVENANCE_PREDICATES for _, p, _ in assertion)
        assert set(g.triples((item, None, None))) == set(assertion) | set(provenance.triples((item, None, None)))
        quoted = set(provenance.objects(assertion.identifier, PROV.wasDerivedFrom))
        assert quoted == set(g.objects(item, VX.hasQuote))
        for quote in quoted:
            exact = {str(provenance.value(s, OA.exact)) for s in provenance.objects(quote, OA.hasSelector)} - {"None"}
            assert exact == {str(g.value(s, OA.exact)) for s in g.objects(quote, OA.hasSelector)} - {"None"}
        assert set(provenance.objects(assertion.identifier, PROV.hadPrimarySource)) == {g.value(item, VX.inDocument)}


def test_export_is_deterministic(built: Build, tmp_path: Path) -> None:
    first = export(built, "nanopub", out_dir=tmp_path / "a")[0].read_bytes()
    assert export(built, "nanopub", out_dir=tmp_path / "b")[0].read_bytes() == first


def test_the_provenance_carries_the_documents_editorial_status(built: Build, nanopubs) -> None:
    """Finding A7 (exports): a nanopublication of an item from 000 or 001 says, in its provenance, that the
    document prints "content is pending human review"."""
    g = built.graph
    status = dict(g.subject_objects(VX.editorialStatus))
    assert status
    checked = 0
    for graphs in nanopubs.values():
        provenance = graphs["provenance"]
        for document in provenance.objects(graphs["assertion"].identifier, PROV.hadPrimarySource):
            if document in status:
                checked += 1
                assert provenance.value(document, VX.editorialStatus) == status[document]
    assert checked >= 20
