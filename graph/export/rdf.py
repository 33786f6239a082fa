"""The whole graph in the W3C RDF formats: Turtle and N-Triples (from ``store.serialize``),
JSON-LD with the shipped context embedded inline, and TriG / N-Quads as a dataset of
named graphs, one per source document holding exactly what that document asserts,
plus ``graph/ontology`` (the vocabulary) and ``graph/shared`` (entities, identifiers and
publication facts: the reference layer no document asserts). Their union is the build.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from rdflib import Graph, URIRef
from rdflib.plugins.serializers.jsonld import from_rdf

from vexas_kg.errors import DataError
from vexas_kg.graph.builder.assemble import Build, graph_of
from vexas_kg.graph.store.serialize import to_ntriples, to_turtle
from vexas_kg.ontology import PREFIXES, read_text
from vexas_kg.ontology.vocab import VXID

ONTOLOGY_GRAPH = VXID["graph/ontology"]
SHARED_GRAPH = VXID["graph/shared"]


def document_graph_name(doc_id: str) -> URIRef:
    """The named graph of what document ``doc_id`` asserts."""
    return VXID[f"graph/doc/{doc_id}"]


def document_graphs(build: Build) -> list[tuple[URIRef, Graph]]:
    """The build split into named graphs: ontology, shared, then one per document (sorted by name).

    A document's graph holds the triples its record yields, with references to
    other records resolved (``Build.asserted``). A triple two documents both
    assert is in both graphs. The union of all graphs is exactly the build; this is
    checked, so a change to the build that breaks the split fails loudly here.
    """
    ontology = build.ontology
    per_document = build.asserted
    asserted = set(ontology)
    for graph in per_document.values():
        asserted.update(graph)
    shared = Graph()
    for triple in build.graph:
        if triple not in asserted:
            shared.add(triple)
    graphs = [(ONTOLOGY_GRAPH, ontology), (SHARED_GRAPH, shared)]
    graphs += [(document_graph_name(doc), graph_of(per_document[doc])) for doc in sorted(per_document)]
    union = set()
    for _, graph in graphs:
        union.update(graph)
    if union != set(build.graph):
        raise DataError(f"the named graphs do not add up to the build ({len(union)} vs {len(build.graph)} triples)")
    return graphs


def to_trig(build: Build) -> str:
    """TriG of the build's named graphs (see :func:`trig_text`)."""
    return trig_text(document_graphs(build))


def trig_text(graphs: Iterable[tuple[URIRef, Graph]]) -> str:
    """TriG: each named graph as sorted Turtle, graphs in the order given.

    Lines are not indented inside the braces: a quote that spans lines is a
    multi-line string, and indenting it would change the quote.
    """
    parts = ["".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items())), "\n"]
    for name, graph in graphs:
        body = "".join(line for line in to_turtle(graph).splitlines(keepends=True)
                       if not line.startswith(("@prefix", "PREFIX")))
        parts.append(f"<{name}> {{\n{body.strip(chr(10))}\n}}\n\n")
    return "".join(parts).rstrip("\n") + "\n"


def to_nquads(build: Build) -> str:
    """N-Quads, one quad a line, lines sorted."""
    lines = []
    for name, graph in document_graphs(build):
        suffix = f" <{name}> .\n"
        lines += [line[:-2].rstrip() + suffix for line in to_ntriples(graph).splitlines() if line.strip()]
    return "".join(sorted(lines))


def jsonld_context() -> dict:
    """The JSON-LD context shipped as ``ontology/context.jsonld`` (read from the package, never fetched)."""
    return json.loads(read_text("context.jsonld"))["@context"]


def to_jsonld(graph: Graph) -> str:
    """JSON-LD compacted with our context, which is embedded inline.

    rdflib's converter gives the JSON tree directly. Going through its serialized text, with a
    sorted copy of the graph (which :func:`_canonical` makes unneeded), held the graph twice and
    the document several times: twice the memory and time (452 against 233 MB at 236,000
    triples), and past the scale benchmark's 6 GB cap at 2.3 million. Literals of the JSON
    types are written as JSON numbers and booleans, as rdflib's serializer writes them.
    """
    tree = from_rdf(graph, jsonld_context(), use_native_types=True, auto_compact=True)
    return json.dumps(_canonical(tree), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _canonical(value: Any) -> Any:
    """``value`` with every array sorted, in place (rdflib emits node objects and values in set order,
    which changes from run to run); arrays are unordered in JSON-LD except ``@list``, kept as is.
    In place, because at 2.3 million triples a sorted copy of the tree is gigabytes."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "@list":
                value[key] = _canonical(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _canonical(item)
        value.sort(key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


