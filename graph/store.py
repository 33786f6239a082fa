"""The build in a pyoxigraph store: the fast embedded engine, loaded in one bulk step.

rdflib stays the reference (it keeps every literal exactly as built); pyoxigraph
answers the same queries much faster. Loading goes through canonical N-Triples so
both hold the same triples. One difference is real and documented: Oxigraph stores
integers by value, so ``xsd:nonNegativeInteger`` and ``xsd:positiveInteger`` come
back as ``xsd:integer`` (see :func:`fold_integer_types`).
"""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from vexas_kg.graph.serialize import to_ntriples

INTEGER_SUBTYPES = frozenset(
    XSD[name]
    for name in ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int",
                 "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")
)


def load_store(graph: Graph, graph_name: URIRef | None = None) -> ox.Store:
    """An in-memory store holding ``graph`` (in the default graph, or in ``graph_name``)."""
    store = ox.Store()
    add_graph(store, graph, graph_name)
    return store


def add_graph(store: ox.Store, graph: Graph, graph_name: URIRef | None = None) -> None:
    """Bulk-load ``graph`` into ``store``, into the default graph or the named graph ``graph_name``."""
    target = ox.NamedNode(str(graph_name)) if graph_name is not None else ox.DefaultGraph()
    store.bulk_load(to_ntriples(graph).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=target)


def load_dataset(graphs: Iterable[tuple[URIRef, Graph]]) -> ox.Store:
    """An in-memory store with one named graph per ``(name, graph)`` pair (the TriG layout)."""
    store = ox.Store()
    for name, graph in graphs:
        add_graph(store, graph, name)
    return store


def read_graph(store: ox.Store, graph_name: URIRef | None = None) -> Graph:
    """One graph of ``store`` back as an rdflib Graph (for comparisons and exports)."""
    source = ox.NamedNode(str(graph_name)) if graph_name is not None else ox.DefaultGraph()
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=source)
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def fold_integer_types(graph: Graph) -> Graph:
    """A copy with every literal of a derived integer type written as ``xsd:integer`` by value.

    This is what Oxigraph (and Virtuoso) keep of such a literal; comparing folded
    graphs checks that a store kept every value while saying plainly that it did not
    keep the derived datatype.
    """
    folded = Graph()
    for s, p, o in graph:
        folded.add((s, p, fold_literal(o)))
    return folded


def fold_literal(term):
    """``term`` with a derived integer datatype replaced by ``xsd:integer`` (other terms unchanged)."""
    if isinstance(term, Literal) and term.datatype in INTEGER_SUBTYPES:
        try:
            return Literal(str(int(str(term))), datatype=XSD.integer)
        except ValueError:
            return term
    return term
