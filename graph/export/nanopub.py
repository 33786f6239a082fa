"""Nanopublications: one per claim and one per figure, in one TriG file.

Each follows the nanopublication guidelines (https://nanopub.net/guidelines/working_draft/):
four named graphs whose IRIs start with the nanopublication's IRI
(``https://w3id.org/vexas-kg/np/<the item's path>``):

- ``…/Head``: the nanopublication, its assertion, provenance and publication info (only these);
- ``…/assertion``: what the item states — the item's own triples, less those that say where
  it comes from;
- ``…/provenance``: about the assertion — ``prov:wasDerivedFrom`` each verbatim quote
  (Web Annotation selectors: exact text and character offsets), ``prov:hadPrimarySource``
  the source document (title, publisher, date, file, SHA-256, editorial status as printed), the citation markers and
  the publications they resolve to, curator notes, and the document section;
- ``…/pubinfo``: about the nanopublication — licence, the dataset and version it was
  exported from, its type (``npx:hasNanopubType``) and label.

The nanopublications are unsigned and carry no trusty URI and no creation time (so two
exports are byte-identical): signing and publishing are the publisher's step
(``np sign``, ``np publish`` with their own key), which adds both.
"""

from __future__ import annotations

from importlib.metadata import version as package_version

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.rdf import trig_text
from vexas_kg.graph.export.provenance import documents_of, quotes
from vexas_kg.ontology import iris
from vexas_kg.ontology.vocab import OA, VX, VXID

NP = Namespace("http://www.nanopub.org/nschema#")
NPX = Namespace("http://purl.org/nanopub/x/")
PAV = Namespace("http://purl.org/pav/")
NP_BASE = "https://w3id.org/vexas-kg/np/"
# where an item comes from, not what it states: these go to the provenance graph
PROVENANCE_PREDICATES = {VX.hasQuote, VX.inDocument, VX.hasCitationMarker, VX.section, RDFS.comment}
GRAPHS = ("Head", "assertion", "provenance", "pubinfo")


def nanopub_iri(item: URIRef) -> URIRef:
    """The nanopublication of one of our items: the item's path under ``np/``."""
    path = iris.instance_path(item)
    if path is None:
        raise ValueError(f"{item} is not a vexas-kg instance IRI")
    return URIRef(NP_BASE + path)


def nanopublication(graph: Graph, item: URIRef, licence: URIRef | None, version: str) -> list[tuple[URIRef, Graph]]:
    """The four named graphs of ``item``'s nanopublication, in guideline order."""
    np = nanopub_iri(item)
    head, assertion, provenance, pubinfo = (URIRef(f"{np}/{name}") for name in GRAPHS)
    h, a, p, i = Graph(), Graph(), Graph(), Graph()
    h.add((np, RDF.type, NP.Nanopublication))
    h.add((np, NP.hasAssertion, assertion))
    h.add((np, NP.hasProvenance, provenance))
    h.add((np, NP.hasPublicationInfo, pubinfo))
    for s, pred, o in graph.triples((item, None, None)):
        (p if pred in PROVENANCE_PREDICATES else a).add((s, pred, o))
    markers = sorted(graph.objects(item, VX.hasCitationMarker))
    for quote in quotes(graph, item):
        p.add((assertion, PROV.wasDerivedFrom, quote.iri))
    for quote in {q for node in [item, *markers] for q in graph.objects(node, VX.hasQuote)}:
        for triple in graph.triples((quote, None, None)):
            p.add(triple)
        for selector in graph.objects(quote, OA.hasSelector):
            for triple in graph.triples((selector, None, None)):
                p.add(triple)
    for document in documents_of(graph, item):
        p.add((assertion, PROV.hadPrimarySource, document))
        for pred in (RDF.type, DCTERMS.title, DCTERMS.publisher, DCTERMS.date, VX.sourceFile, VX.sha256,
                     VX.editorialStatus):
            for o in graph.objects(document, pred):
                p.add((document, pred, o))
    for marker in markers:
        for triple in graph.triples((marker, None, None)):
            p.add(triple)
        for entry in graph.objects(marker, VX.resolvesTo):
            for publication in graph.objects(entry, VX.describesPublication):
                p.add((entry, VX.describesPublication, publication))
    i.add((np, RDFS.label, Literal(f"vexas-kg: {graph.value(item, RDFS.label) or item}")))
    for kind in graph.objects(item, RDF.type):
        i.add((np, NPX.hasNanopubType, kind))
    i.add((np, PROV.wasDerivedFrom, VXID["dataset"]))
    i.add((np, PAV.version, Literal(version)))
    if licence is not None:
        i.add((np, DCTERMS.license, licence))
    return [(head, h), (assertion, a), (provenance, p), (pubinfo, i)]


def to_nanopub_trig(build: Build) -> str:
    """Every claim's and every figure's nanopublication, sorted by IRI, as one TriG file."""
    graph = build.graph
    licence = graph.value(URIRef("https://w3id.org/vexas-kg/vocab"), DCTERMS.license)
    version = package_version("vexas-kg")
    items = sorted(set(graph.subjects(RDF.type, VX.Claim)) | set(graph.subjects(RDF.type, VX.Figure)))
    return trig_text(named for item in items for named in nanopublication(graph, item, licence, version))
