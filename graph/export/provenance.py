"""What every exchange format repeats about an item: its verbatim quotes, the documents
they come from, and the publications its citation markers resolve to."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from vexas_kg.ontology.vocab import OA, VX


@dataclass(frozen=True, order=True)
class Quote:
    """One verbatim quote: its IRI, exact text and source document."""

    iri: URIRef
    exact: str
    document: URIRef


def quotes(graph: Graph, item: URIRef) -> list[Quote]:
    """The item's quotes, sorted by IRI (so by document, then offset)."""
    found = []
    for quote in graph.objects(item, VX.hasQuote):
        document = graph.value(quote, OA.hasSource)
        for selector in graph.objects(quote, OA.hasSelector):
            if (selector, RDF.type, OA.TextQuoteSelector) in graph:
                found.append(Quote(quote, str(graph.value(selector, OA.exact)), document))
    return sorted(found)


def documents_of(graph: Graph, item: URIRef) -> list[URIRef]:
    """The documents an item is quoted from (through its quotes' sources) or belongs to."""
    found = {doc for quote in graph.objects(item, VX.hasQuote) for doc in graph.objects(quote, OA.hasSource)}
    found.update(graph.objects(item, VX.inDocument))
    return sorted(found)


def cited_publications(graph: Graph, item: URIRef) -> list[URIRef]:
    """Publications the item's citation markers resolve to (through the reference entries)."""
    return sorted({publication
                   for marker in graph.objects(item, VX.hasCitationMarker)
                   for entry in graph.objects(marker, VX.resolvesTo)
                   for publication in graph.objects(entry, VX.describesPublication)})
