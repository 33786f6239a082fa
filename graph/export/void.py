"""A VoID + DCAT description of the dataset: size, classes, sources, the named graphs of
the TriG export, and one ``dcat:Distribution`` per exported file (every format but csv)
with its media type and download URL, relative to the description, so the files and the
description travel together; the whole-graph files are also ``void:dataDump``s."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version as package_version
from typing import Iterable

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, VOID, XSD

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.rdf import document_graphs
from vexas_kg.graph.store.serialize import bind_prefixes
from vexas_kg.ontology import PREFIXES, iris
from vexas_kg.ontology.vocab import VX, VXID

DATASET = VXID["dataset"]
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


@dataclass(frozen=True)
class Distribution:
    """One export format as the description lists it: its files (name relative to the
    description, media type) and whether it is a dump of the whole graph."""

    format: str
    files: tuple[tuple[str, str], ...]
    rdf_dump: bool


def void_description(build: Build, distributions: Iterable[Distribution]) -> Graph:
    """A VoID + DCAT description: version, size, classes, sources, named graphs, licence, distributions.

    Download URLs are relative IRIs (``<vexas-kg.ttl>``): a reader resolves them against
    the description's own location, so they name the files exported beside it.
    """
    g = bind_prefixes(Graph())
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    graph = build.graph
    version = package_version("vexas-kg")
    ontology = URIRef("https://w3id.org/vexas-kg/vocab")
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, DCTERMS.title, Literal("vexas-kg: an evidence knowledge graph of VEXAS syndrome treatment")))
    g.add((DATASET, DCTERMS.description, Literal(
        "Figures, claims, safety rules and citations taken from the source documents, each with the verbatim "
        "quote and character offsets it rests on.")))
    g.add((DATASET, URIRef(f"{DCAT}version"), Literal(version)))
    g.add((DATASET, OWL.versionInfo, Literal(version)))
    for licence in sorted(graph.objects(ontology, DCTERMS.license)):
        g.add((DATASET, DCTERMS.license, licence))
    g.add((DATASET, RDFS.comment, Literal(
        "The licence covers the curated data. Quotes are short verbatim excerpts of the source documents "
        "named by dcterms:source, which keep their own terms.")))
    g.add((DATASET, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    g.add((DATASET, VOID.distinctSubjects, Literal(len(set(graph.subjects())), datatype=XSD.integer)))
    g.add((DATASET, VOID.properties, Literal(len(set(graph.predicates())), datatype=XSD.integer)))
    g.add((DATASET, VOID.distinctObjects, Literal(len(set(graph.objects())), datatype=XSD.integer)))
    g.add((DATASET, VOID.uriSpace, Literal(str(VXID))))
    for namespace in sorted({PREFIXES["vx"], PREFIXES["oa"], PREFIXES["prov"], PREFIXES["skos"],
                             PREFIXES["dcterms"], PREFIXES["bibo"]}):
        g.add((DATASET, VOID.vocabulary, URIRef(namespace)))
    classes = Counter(graph.objects(None, RDF.type))
    g.add((DATASET, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        partition = VXID[f"dataset/class/{_local(cls)}"]
        g.add((DATASET, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for document in sorted(graph.subjects(RDF.type, VX.Document)):
        g.add((DATASET, DCTERMS.source, document))
        for p in (DCTERMS.title, VX.sourceFile, VX.sha256, DCTERMS.publisher, DCTERMS.date):
            for o in graph.objects(document, p):
                g.add((document, p, o))
    for name, named in document_graphs(build):
        g.add((DATASET, VOID.subset, name))
        g.add((name, RDF.type, VOID.Dataset))
        g.add((name, RDF.type, SD.NamedGraph))
        g.add((name, SD.name, name))
        g.add((name, VOID.triples, Literal(len(named), datatype=XSD.integer)))
        if name.startswith(str(VXID["graph/doc/"])):
            g.add((name, PROV.wasDerivedFrom, VXID[f"doc/{str(name).rsplit('/', 1)[1]}"]))
    for distribution in distributions:
        for name, media_type in distribution.files:
            node = VXID[f"dataset/distribution/{name}"]
            g.add((DATASET, DCAT.distribution, node))
            g.add((node, RDF.type, DCAT.Distribution))
            g.add((node, DCAT.mediaType, Literal(media_type)))
            g.add((node, DCTERMS.title, Literal(f"vexas-kg {version}: {name} (export format {distribution.format})")))
            g.add((node, DCAT.downloadURL, URIRef(name)))
            if distribution.rdf_dump:
                g.add((DATASET, VOID.dataDump, URIRef(name)))
    return g


def _local(iri: URIRef) -> str:
    text = str(iri)
    return iris.prefixed(text, sep="-") or text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


