"""The pyoxigraph store: loaded from the build, read back, and what it changes (numbers kept by value)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.rdf import document_graphs
from vexas_kg.graph.store.oxigraph import fold_literal, fold_numbers, load_dataset, load_store, read_graph


def test_store_holds_every_triple_of_the_build(built: Build, assert_same_graph) -> None:
    store = load_store(built.graph)
    assert len(store) == len(built.graph)
    back = read_graph(store)
    assert_same_graph(fold_numbers(back), fold_numbers(built.graph))


def test_store_changes_only_the_lexical_form_of_numbers(built: Build) -> None:
    back = set(read_graph(load_store(built.graph)))
    changed = set(built.graph) - back
    assert changed, "expected integer subtypes in the build (quote offsets)"
    for s, p, o in changed:
        assert isinstance(o, Literal) and o.datatype is not None
        assert (s, p, fold_literal(o)) in back
    assert {o.datatype for _, _, o in changed} <= {XSD.nonNegativeInteger, XSD.positiveInteger, XSD.decimal}


def test_named_graph_and_dataset_loading(built: Build) -> None:
    name = URIRef("https://example.org/graph")
    store = load_store(built.graph, name)
    assert len(read_graph(store)) == 0
    assert len(read_graph(store, name)) == len(built.graph)
    graphs = document_graphs(built)
    dataset = load_dataset(graphs)
    for graph_name, graph in graphs:
        assert len(read_graph(dataset, graph_name)) == len(graph)


@pytest.mark.parametrize("term, folded", [
    (Literal("5.20", datatype=XSD.decimal), Literal("5.2", datatype=XSD.decimal)),
    (Literal("24", datatype=XSD.decimal), Literal("24", datatype=XSD.decimal)),
    (Literal("100", datatype=XSD.decimal), Literal("100", datatype=XSD.decimal)),
    (Literal("0.0", datatype=XSD.decimal), Literal("0", datatype=XSD.decimal)),
    (Literal("0010", datatype=XSD.nonNegativeInteger), Literal("10", datatype=XSD.integer)),
    (Literal("3", datatype=XSD.positiveInteger), Literal("3", datatype=XSD.integer)),
    (Literal("P6M", datatype=XSD.duration), Literal("P6M", datatype=XSD.duration)),
    (Literal("5.20"), Literal("5.20")),
    (Literal("x", datatype=XSD.decimal), Literal("x", datatype=XSD.decimal)),
    (URIRef("https://example.org/5.20"), URIRef("https://example.org/5.20")),
])
def test_fold_literal(term, folded) -> None:
    result = fold_literal(term)
    assert result == folded and str(result) == str(folded)


def test_fold_numbers_keeps_the_graph_size(built: Build) -> None:
    assert len(fold_numbers(built.graph)) == len(built.graph)
    assert isinstance(fold_numbers(Graph()), Graph)


TRICKY_TURTLE = '''
@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:decimal 5.20 , "5.20"^^xsd:decimal ; ex:integer 007 , "3"^^xsd:positiveInteger ;
    ex:double 1.0e3 ; ex:boolean true ; ex:duration "P6M"^^xsd:duration ;
    ex:text "line one\\nline \\"two\\"" , """a
multi-line \\u00e9 text""" , "anémie"@fr ;
    ex:list ( ex:x "y" 1 ) ;
    ex:node [ ex:p ex:q ; ex:r [ ex:s "nested" ] ] .
'''


@pytest.mark.parametrize("name", ["vexas.ttl", "shapes.ttl", None])
def test_parse_turtle_reads_exactly_what_rdflib_reads(name: str | None) -> None:
    """Oxigraph's parser (used for the shipped Turtle) gives rdflib's graph, every lexical form kept."""
    from rdflib.compare import isomorphic
    from rdflib.term import BNode

    from vexas_kg.graph.store.oxigraph import parse_turtle
    from vexas_kg.ontology import read_text

    text = read_text(name) if name else TRICKY_TURTLE
    assert "^^xsd:string" not in text, "rdflib keeps an explicit xsd:string that RDF 1.1 (and Oxigraph) drop"
    fast, reference = parse_turtle(text), Graph().parse(data=text, format="turtle")
    assert len(fast) == len(reference) >= 20
    assert isomorphic(fast, reference)
    ground = {t for t in reference if not any(isinstance(term, BNode) for term in t)}
    assert {t for t in fast if not any(isinstance(term, BNode) for term in t)} == ground
    literals = [sorted(o.n3() for o in graph.objects() if isinstance(o, Literal)) for graph in (fast, reference)]
    assert literals[0] == literals[1], "every literal keeps its lexical form, datatype and language"
