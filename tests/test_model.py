"""The registry and the vocabulary agree: no kind without a class, no class without a kind, and every
controlled list of the shapes is a SKOS scheme of vexas.ttl (or a subset the shape states on purpose)."""

from __future__ import annotations

from functools import cache

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from vexas_kg import model
from vexas_kg.errors import UsageError
from vexas_kg.loaders.criteria import OPERATORS
from vexas_kg.ontology import read_text
from vexas_kg.ontology.vocab import VX, VXT

SH_IN = URIRef("http://www.w3.org/ns/shacl#in")
SH_PATH = URIRef("http://www.w3.org/ns/shacl#path")
# sh:in lists that deliberately name part of a scheme: the path, the scheme, and why.
SUBSETS = {VX.responseLevel: ("measures", "a response definition defines a response level, not any measure")}


@cache
def vocabulary() -> Graph:
    return Graph().parse(data=read_text("vexas.ttl"), format="turtle")


@cache
def shapes() -> Graph:
    return Graph().parse(data=read_text("shapes.ttl"), format="turtle")


def test_every_kind_has_its_class_and_noun_in_the_vocabulary() -> None:
    g = vocabulary()
    for kind in model.kinds():
        expected = SKOS.ConceptScheme if kind.scheme else OWL.Class
        assert (kind.cls, RDF.type, expected) in g, kind.name
        if not kind.scheme:
            assert str(g.value(kind.cls, RDFS.label)) == kind.noun, kind.name


def test_every_class_has_a_kind() -> None:
    """A class is a kind's, a document subclass (document kinds), or a superclass of kinds."""
    g = vocabulary()
    registered = {k.cls for k in model.kinds()}
    documents = set(model.document_classes().values())
    superclasses = {o for c in registered for o in g.transitive_objects(c, RDFS.subClassOf)} - registered
    classes = {c for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(str(VX._NS))}
    assert sorted(classes - registered - documents - superclasses) == []
    assert all((c, RDFS.subClassOf, VX.Document) in g for c in documents)


def test_kind_names_sections_and_segments_are_unique() -> None:
    for column in ("name", "cls", "section"):
        values = [getattr(k, column) for k in model.kinds() if getattr(k, column) is not None]
        assert len(values) == len(set(values)), column
    assert {k.source for k in model.kinds() if k.loader} == {model.RECORD}


def test_schemes_are_read_from_the_vocabulary() -> None:
    g = vocabulary()
    for scheme in g.subjects(RDF.type, SKOS.ConceptScheme):
        members = {str(c)[len(str(VXT._NS)):] for c in g.subjects(SKOS.inScheme, scheme)}
        assert model.scheme(str(scheme)[len(str(VXT._NS)):]) == members


def test_every_sh_in_list_is_its_scheme() -> None:
    g, schemes = shapes(), {}
    for scheme in vocabulary().subjects(RDF.type, SKOS.ConceptScheme):
        schemes[frozenset(vocabulary().subjects(SKOS.inScheme, scheme))] = str(scheme)[len(str(VXT._NS)):]
    checked = 0
    for shape, listed in g.subject_objects(SH_IN):
        values = list(g.items(listed))
        path = g.value(shape, SH_PATH)
        if all(isinstance(v, Literal) for v in values):
            assert path == VX.operator and {str(v) for v in values} == OPERATORS
        elif path in SUBSETS:
            name, _ = SUBSETS[path]
            assert {str(v)[len(str(VXT._NS)):] for v in values} < model.scheme(name)
        else:
            assert frozenset(values) in schemes, f"the sh:in list of {path} is no scheme of vexas.ttl"
        checked += 1
    assert checked >= 3


def test_a_decimal_parameter_is_parsed_as_a_decimal() -> None:
    decimal = model.parameter_type("decimal")
    assert decimal.literal("1.5", "x") == Literal("1.5", datatype=XSD.decimal)
    assert str(decimal.literal(" 2.50 ", "x")) == "2.50"
    with pytest.raises(UsageError, match=r"x='1e3' is not a decimal number"):
        decimal.literal("1e3", "x")
    with pytest.raises(UsageError, match="is not a duration"):
        model.parameter_type("duration").literal("1.5", "t")


def test_parameter_kinds_and_nouns_come_from_the_registry() -> None:
    item = model.parameter_type("item")
    assert item.noun == "figure, claim, safety rule or adverse event report"
    assert item.classes() == {str(k.cls) for k in model.traceable()}
    assert model.parameter_type("intervention").noun == "drug, drug class or procedure"
