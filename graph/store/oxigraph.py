"""The build in a pyoxigraph store: the fast embedded engine, loaded in one bulk step.

rdflib stays the reference (it keeps every literal exactly as built); pyoxigraph
answers the same queries much faster. Loading goes through canonical N-Triples so
both hold the same triples. One difference is real and documented: Oxigraph keeps
numbers by value, so ``xsd:nonNegativeInteger`` and ``xsd:positiveInteger`` come
back as ``xsd:integer`` and a decimal printed ``5.20`` comes back as ``5.2``
(see :func:`fold_numbers`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from vexas_kg.errors import QueryError
from vexas_kg.graph.store.serialize import to_ntriples

INTEGER_TYPES = frozenset(
    XSD[name]
    for name in ("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long",
                 "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")
)
"""xsd:integer and every type derived from it: a value-keeping store reports all of them as xsd:integer."""


_XSD_STRING = str(XSD.string)


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the Oxigraph term with the same lexical form."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"cannot use {term!r} as an RDF term")


def from_oxigraph(term: object) -> Identifier | None:
    """An Oxigraph term as the rdflib term with the same lexical form (None stays None)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise QueryError(f"unsupported result term {term!r}")


def parse_turtle(text: str) -> Graph:
    """The package's own Turtle (vocabulary, shapes) as an rdflib Graph, read by Oxigraph's parser.

    Oxigraph's Rust parser keeps every lexical form as written (only its store
    normalises numbers) and is several times faster than rdflib's, which every build
    and validation pays for; a test checks both parsers give the same graph.
    """
    graph = Graph()
    graph.addN((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object), graph)
               for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE))
    return graph


def load_store(graph: Graph, graph_name: URIRef | None = None) -> ox.Store:
    """An in-memory store holding ``graph`` (in the default graph, or in ``graph_name``)."""
    store = ox.Store()
    add_graph(store, graph, graph_name)
    return store


def load_ntriples(text: str) -> ox.Store:
    """An in-memory store holding the N-Triples ``text`` in its default graph (what :func:`load_store`
    gives for the graph they serialize, without an rdflib graph)."""
    store = ox.Store()
    store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
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


def fold_numbers(graph: Graph) -> Graph:
    """A copy with every numeric literal in its canonical value form, as a value-keeping store returns it.

    Derived integer types become ``xsd:integer``; decimals, integers and doubles get
    their canonical lexical form. Comparing folded graphs checks that a store kept
    every value, while the caller says plainly that it did not keep the printed form.
    """
    folded = Graph()
    for s, p, o in graph:
        folded.add((s, p, fold_literal(o)))
    return folded


def fold_literal(term):
    """``term`` in canonical value form if it is a numeric literal (other terms unchanged)."""
    if not isinstance(term, Literal) or term.datatype is None:
        return term
    lexical = str(term).strip()
    try:
        if term.datatype in INTEGER_TYPES:
            return Literal(str(int(lexical)), datatype=XSD.integer)
        if term.datatype == XSD.decimal:
            value = Decimal(lexical)
            return Literal(format(value.normalize(), "f") if value else "0", datatype=XSD.decimal)
        if term.datatype in (XSD.double, XSD.float):
            return Literal(repr(float(lexical)), datatype=term.datatype)
    except (ValueError, ArithmeticError):
        return term
    return term
