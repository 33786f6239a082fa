"""vocab.py and vexas.ttl name the same terms, and every term is labelled, defined and (for concepts) in a scheme."""

from __future__ import annotations

from functools import cache

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from vexas_kg.ontology import read_text
from vexas_kg.ontology.vocab import BIBO, OA, VX, VXT

PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@cache
def vocabulary() -> Graph:
    return Graph().parse(data=read_text("vexas.ttl"), format="turtle")


def in_namespace(namespace: type, terms) -> set[URIRef]:
    return {t for t in terms if isinstance(t, URIRef) and str(t).startswith(str(namespace._NS))}


def defined(namespace: type) -> set[URIRef]:
    """The terms a DefinedNamespace lists: its annotations (``dir``) plus its non-identifier ``_extras``."""
    return set(dir(namespace)) | {namespace[name] for name in namespace._extras}


def classes() -> set[URIRef]:
    return in_namespace(VX, vocabulary().subjects(RDF.type, OWL.Class))


def properties() -> set[URIRef]:
    return in_namespace(VX, {p for kind in PROPERTY_TYPES for p in vocabulary().subjects(RDF.type, kind)})


def concepts() -> set[URIRef]:
    return in_namespace(VXT, vocabulary().subjects(RDF.type, SKOS.Concept))


def schemes() -> set[URIRef]:
    return in_namespace(VXT, vocabulary().subjects(RDF.type, SKOS.ConceptScheme))


def mentioned(namespace: type) -> set[URIRef]:
    """Every IRI of the namespace used anywhere in vexas.ttl, as subject, predicate or object."""
    return in_namespace(namespace, {term for triple in vocabulary() for term in triple})


def test_vocabulary_is_not_empty() -> None:
    assert len(classes()) >= 20 and len(properties()) >= 80 and len(concepts()) >= 40 and len(schemes()) == 15


def test_vx_lists_exactly_the_classes_and_properties() -> None:
    assert sorted(defined(VX) - (classes() | properties())) == []  # in vocab.py, not in vexas.ttl
    assert sorted((classes() | properties()) - defined(VX)) == []  # in vexas.ttl, not in vocab.py


def test_vxt_lists_exactly_the_concepts_and_schemes() -> None:
    assert sorted(defined(VXT) - (concepts() | schemes())) == []
    assert sorted((concepts() | schemes()) - defined(VXT)) == []


def test_vexas_ttl_mentions_only_declared_terms() -> None:
    assert sorted(mentioned(VX) - classes() - properties()) == []
    assert sorted(mentioned(VXT) - concepts() - schemes()) == []


def test_no_term_is_both_class_and_property() -> None:
    assert sorted(classes() & properties()) == []


@pytest.mark.parametrize("predicate", [RDFS.label, SKOS.definition], ids=["rdfs:label", "skos:definition"])
def test_every_class_and_property_is_labelled_and_defined(predicate: URIRef) -> None:
    wrong = sorted(t for t in classes() | properties() if len(list(vocabulary().objects(t, predicate))) != 1)
    assert wrong == []


@pytest.mark.parametrize("predicate", [SKOS.prefLabel, SKOS.definition], ids=["skos:prefLabel", "skos:definition"])
def test_every_concept_is_labelled_and_defined(predicate: URIRef) -> None:
    wrong = sorted(t for t in concepts() if len(list(vocabulary().objects(t, predicate))) != 1)
    assert wrong == []


def test_every_concept_is_in_a_declared_scheme() -> None:
    outside = sorted(t for t in concepts() if not set(vocabulary().objects(t, SKOS.inScheme)))
    unknown = sorted({s for t in concepts() for s in vocabulary().objects(t, SKOS.inScheme)} - schemes())
    assert (outside, unknown) == ([], [])


def test_every_scheme_is_labelled_defined_and_used() -> None:
    graph = vocabulary()
    unlabelled = sorted(s for s in schemes() if graph.value(s, RDFS.label) is None or graph.value(s, SKOS.definition) is None)
    empty = sorted(s for s in schemes() if not set(graph.subjects(SKOS.inScheme, s)))
    assert (unlabelled, empty) == ([], [])


def test_known_terms_resolve() -> None:
    assert VX.Figure == URIRef("https://w3id.org/vexas-kg/vocab#Figure")
    assert VXT["overall-response"] == URIRef("https://w3id.org/vexas-kg/terms/overall-response")
    assert OA.hasSelector == URIRef("http://www.w3.org/ns/oa#hasSelector")
    assert BIBO.doi == URIRef("http://purl.org/ontology/bibo/doi")


@pytest.mark.parametrize(
    "lookup",
    [lambda: VX.Typo, lambda: VX.figure, lambda: VX["ciupper"], lambda: VXT["overall_response"],
     lambda: VXT["typo-term"], lambda: OA.hasSelecter, lambda: BIBO.isbn],
    ids=["VX.Typo", "VX.figure", "VX[ciupper]", "VXT[overall_response]", "VXT[typo-term]", "OA.hasSelecter", "BIBO.isbn"],
)
def test_typos_fail(lookup) -> None:
    with pytest.raises(AttributeError, match="not in namespace"):
        lookup()
