"""The pyoxigraph store: loaded from the build, read back, and what it changes (numbers kept by value)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from vexas_kg.graph.build import Build
from vexas_kg.graph.export import document_graphs
from vexas_kg.graph.store import fold_literal, fold_numbers, load_dataset, load_store, read_graph


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
