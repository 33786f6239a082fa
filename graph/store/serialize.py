"""Canonical serialisation and atomic writing.

Outputs are sorted so that two builds are byte-identical and diffs are readable; they are
written by ``graph.store.output`` (a set of files replaced together, or not at all).
"""

from __future__ import annotations

import functools
from typing import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from vexas_kg.model import Triple
from vexas_kg.ontology import PREFIXES, iris


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes (and only those) for readable Turtle."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def to_ntriples(graph: Iterable[Triple]) -> str:
    """N-Triples with one triple a line, lines sorted (canonical for a graph without blank nodes).

    Lines are written as rdflib's N-Triples serializer writes them (a test compares the two over
    the whole build), so a graph or a plain set of triples serialises alike.
    """
    return "".join(sorted(set(nt_lines(graph).values())))


def nt_lines(graph: Iterable[Triple]) -> dict[Triple, str]:
    """Each triple's N-Triples line, as ``to_ntriples`` writes it; each distinct term is written once."""
    texts: dict[Node, str] = {}
    literals: dict[tuple[str, object, object], str] = {}
    lines: dict[Triple, str] = {}
    for triple in graph:
        s, p, o = triple
        st = texts.get(s) or texts.setdefault(s, s.n3())
        pt = texts.get(p) or texts.setdefault(p, p.n3())
        if isinstance(o, Literal):
            form = (str(o), o.datatype, o.language)
            ot = literals.get(form) or literals.setdefault(form, _nt_object(o))
        else:
            ot = texts.get(o) or texts.setdefault(o, o.n3())
        lines[triple] = f"{st} {pt} {ot} .\n"
    return lines


def _nt_object(node: Node) -> str:
    """An IRI as ``<...>``; a literal with N-Triples' four escapes (UTF-8 otherwise kept)."""
    if not isinstance(node, Literal):
        return node.n3()
    text = str(node).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    if node.language:
        return f'"{text}"@{node.language}'
    if node.datatype is not None:
        return f'"{text}"^^<{node.datatype}>'
    return f'"{text}"'


def to_turtle(graph: Iterable[Triple]) -> str:
    """Canonical Turtle: subjects, predicates and objects sorted, literals in full form.

    rdflib's serializers abbreviate typed literals (``"24"^^xsd:decimal`` becomes ``24``,
    which reads back as an integer), so numbers would not keep their printed form; this
    writer keeps every literal exactly as built. The graph has no blank nodes to order.
    One pass over the triples, each term written once: the build writes this every time.
    """
    by_subject: dict[Node, list[Triple]] = {}
    for triple in graph:
        by_subject.setdefault(triple[0], []).append(triple)
    writer = TurtleWriter()
    return turtle_document({s: writer.block(triples) for s, triples in by_subject.items()})


def turtle_document(blocks: dict[Node, str]) -> str:
    """The Turtle document of per-subject blocks (``TurtleWriter.block``): prefixes, then subjects sorted."""
    return turtle_text(blocks[subject] for subject in sorted(blocks, key=_sort_key))


def turtle_text(blocks: Iterable[str]) -> str:
    """The Turtle document of blocks already in subject order: prefixes, then each block after a blank line.

    Subjects are IRIs (no blank nodes), so their order is that of their N-Triples forms as strings.
    """
    head = "\n".join(f"@prefix {prefix}: <{ns}> ." for prefix, ns in sorted(PREFIXES.items()))
    return head + "".join("\n\n" + block for block in blocks) + "\n"


class TurtleWriter:
    """Writes the Turtle block of one subject; terms are sorted and written once per writer."""

    def __init__(self) -> None:
        self.key, self.text = functools.cache(_sort_key), functools.cache(_term)

    def block(self, triples: Iterable[Triple]) -> str:
        """``subject`` then its predicates (``a`` first) and objects, sorted, ending in `` .``."""
        key, text = self.key, self.text
        predicates: dict[Node, list[Node]] = {}
        subject = None
        for subject, p, o in triples:
            predicates.setdefault(p, []).append(o)
        parts = []
        for predicate in sorted(predicates, key=lambda p: (p != RDF.type, key(p))):
            objects = sorted(predicates[predicate], key=key)
            verb = "a" if predicate == RDF.type else text(predicate)
            parts.append(f"    {verb} " + " ,\n        ".join(text(o) for o in objects))
        return text(subject) + "\n" + " ;\n".join(parts) + " ."


def _qname(iri: str) -> str:
    return iris.prefixed(iri, turtle=True) or f"<{iri}>"


def _term(node: Node) -> str:
    if isinstance(node, Literal):
        if node.datatype is not None:
            return f"{Literal(str(node)).n3()}^^{_qname(str(node.datatype))}"
        return node.n3()
    if isinstance(node, URIRef):
        return _qname(str(node))
    raise ValueError(f"blank nodes are not allowed in the graph: {node!r}")


def _sort_key(node: Node) -> tuple[str, str]:
    return (type(node).__name__, node.n3())
