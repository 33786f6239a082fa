"""Standard exports of the build, each written atomically.

Formats and what they carry:

- ``turtle``, ``ntriples``, ``jsonld``: the whole graph (JSON-LD with the shipped
  context, embedded inline so no reader ever fetches it).
- ``trig``, ``nquads``: the whole graph as a dataset of named graphs, one per source
  document holding exactly what that document asserts (nanopublication-style), plus
  ``graph/ontology`` (the vocabulary) and ``graph/shared`` (entities, identifiers and
  publication facts: the reference layer no document asserts). Their union is the build.
- ``csv``: the rows of one named query.
- ``kgx``: Biolink-style nodes and edges (JSON Lines) with provenance fields.
- ``graphml``, ``nodelink``: the networkx view (see :mod:`vexas_kg.graph.export.network`).
- ``support``: the claim-support analysis as CSV.
- ``void``: a VoID/DCAT description of the dataset.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Callable, Mapping

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from vexas_kg.errors import DataError, UsageError
from vexas_kg.graph.builder.assemble import Build, graph_of
from vexas_kg.graph.store.output import write_set, write_stdout
from vexas_kg.graph.store.serialize import bind_prefixes, to_ntriples, to_turtle
from vexas_kg.ontology import PREFIXES, read_text
from vexas_kg.ontology.vocab import BIBO, OA, VX, VXID

ONTOLOGY_GRAPH = VXID["graph/ontology"]
SHARED_GRAPH = VXID["graph/shared"]
DATASET = VXID["dataset"]
KGX_PREFIX = "vexaskg"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


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
    """TriG: each named graph as sorted Turtle, graphs in name order.

    Lines are not indented inside the braces: a quote that spans lines is a
    multi-line string, and indenting it would change the quote.
    """
    parts = ["".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items())), "\n"]
    for name, graph in document_graphs(build):
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
    """JSON-LD compacted with our context, which is embedded inline."""
    ordered = Graph()
    for triple in sorted(graph):
        ordered.add(triple)
    text = ordered.serialize(format="json-ld", context=jsonld_context(), auto_compact=True, indent=1, sort_keys=True)
    return text if text.endswith("\n") else text + "\n"


def named_query_csv(name: str, params: Mapping[str, str | tuple[str, ...]], build: Build) -> str:
    """The CSV rows of one named query, run on the build with the default in-process engine."""
    from vexas_kg.graph.query.named import engine_for, run_named
    from vexas_kg.graph.query.results import format_results

    table = run_named(name, dict(params), engine_for(build.graph))
    return format_results(table, "csv")


def void_description(build: Build) -> Graph:
    """A VoID + DCAT description: version, size, classes, sources, named graphs and licence."""
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
    for fmt in ("turtle", "ntriples", "jsonld", "trig", "nquads"):
        distribution = VXID[f"dataset/distribution/{fmt}"]
        g.add((DATASET, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.mediaType, Literal(FORMATS[fmt].media_type)))
        g.add((distribution, DCTERMS.title, Literal(f"vexas-kg {version} as {fmt}")))
    return g


def _local(iri: URIRef) -> str:
    text = str(iri)
    for prefix, namespace in sorted(PREFIXES.items()):
        if text.startswith(namespace):
            return f"{prefix}-{text[len(namespace):]}"
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --------------------------------------------------------------------- KGX

KGX_CATEGORIES = {
    VX.Drug: "biolink:Drug",
    VX.DrugClass: "biolink:ChemicalEntity",
    VX.Procedure: "biolink:Procedure",
    VX.Disease: "biolink:Disease",
    VX.Gene: "biolink:Gene",
    VX.Phenotype: "biolink:PhenotypicFeature",
    VX.Study: "biolink:Study",
    VX.Publication: "biolink:Publication",
    VX.Document: "biolink:Publication",
}
ID_PREFERENCE = ("MONDO", "HGNC", "CHEBI", "DRUGBANK", "HP")


def kgx_id(graph: Graph, node: URIRef) -> str:
    """The node's id for KGX: a verified external identifier where the graph has one, else our own CURIE."""
    identifiers = {str(i).split(":", 1)[0]: str(i) for i in graph.objects(node, DCTERMS.identifier)}
    for prefix in ID_PREFERENCE:
        if prefix in identifiers:
            return identifiers[prefix]
    pmid = next(iter(sorted(graph.objects(node, BIBO.pmid))), None)
    if pmid is not None:
        return f"PMID:{pmid}"
    doi = next(iter(sorted(graph.objects(node, BIBO.doi))), None)
    if doi is not None:
        return f"doi:{doi}"
    return curie(node)


def curie(node: URIRef) -> str:
    """Our own CURIE for a vexas-kg instance (prefix ``vexaskg`` = https://w3id.org/vexas-kg/id/)."""
    text = str(node)
    return f"{KGX_PREFIX}:{text[len(str(VXID)):]}" if text.startswith(str(VXID)) else text


def to_kgx(build: Build) -> tuple[str, str]:
    """KGX nodes and edges as JSON Lines, sorted by id (see docs/serving.md for the mapping)."""
    graph = build.graph
    ids: dict[URIRef, str] = {}
    nodes: dict[str, dict] = {}
    for cls, category in KGX_CATEGORIES.items():
        for node in sorted(graph.subjects(RDF.type, cls)):
            if node in ids:
                continue
            ids[node] = node_id = kgx_id(graph, node)
            label = graph.value(node, RDFS.label) or graph.value(node, DCTERMS.title)
            record = {"id": node_id, "category": [category], "name": str(label) if label is not None else node_id,
                      "iri": str(node), "provided_by": [curie(DATASET)]}
            xrefs = sorted(str(i) for i in graph.objects(node, DCTERMS.identifier) if str(i) != node_id)
            if node_id != curie(node):
                xrefs.append(curie(node))
            if xrefs:
                record["xref"] = sorted(xrefs)
            definition = graph.value(node, SKOS.definition)
            if definition is not None:
                record["description"] = str(definition)
            nodes[node_id] = record
    edges: dict[tuple[str, str, str, str], dict] = {}

    def add(subject: URIRef, predicate: str, obj: URIRef, source: URIRef, publications: set[str],
            original: URIRef, level: str = "knowledge_assertion") -> None:
        if subject not in ids or obj not in ids:
            return
        key = (ids[subject], predicate, ids[obj], curie(source))
        edge = edges.setdefault(key, {
            "subject": ids[subject], "predicate": predicate,
            "object": ids[obj], "original_predicate": _prefixed(original), "primary_knowledge_source": curie(source),
            "aggregator_knowledge_source": [curie(DATASET)], "knowledge_level": level, "agent_type": "manual_agent",
            "publications": []})
        edge["publications"] = sorted(set(edge["publications"]) | publications)

    for drug, cls in sorted(graph.subject_objects(VX.memberOf)):
        add(drug, "biolink:member_of", cls, DATASET, set(), VX.memberOf)
    for narrow, broad in sorted(graph.subject_objects(SKOS.broader)):
        add(narrow, "biolink:subclass_of", broad, DATASET, set(), SKOS.broader)
    for disease, gene in sorted(graph.subject_objects(VX.associatedGene)):
        add(disease, "biolink:condition_associated_with_gene", gene, DATASET, set(), VX.associatedGene)
    for item, target in sorted(graph.subject_objects(VX.subject)) + sorted(graph.subject_objects(VX.appliesTo)):
        document = graph.value(item, VX.inDocument)
        if document is not None:
            add(document, "biolink:mentions", target, document, {ids[document]} | _cited(graph, item, ids),
                VX.subject if (item, VX.subject, target) in graph else VX.appliesTo)
    for study in sorted(graph.subjects(RDF.type, VX.Study)):
        publications = {ids[p] for p in graph.objects(study, VX.reportedIn) if p in ids}
        for document in _documents_of(graph, study):
            for arm in sorted(graph.objects(study, VX.hasArm)):
                for intervention in sorted(graph.objects(arm, VX.intervention)):
                    add(study, "biolink:related_to", intervention, document, publications | {ids[document]},
                        VX.intervention, "observation")
    node_lines = "".join(json.dumps(nodes[k], sort_keys=True, ensure_ascii=False) + "\n" for k in sorted(nodes))
    ordered = sorted(edges.values(), key=lambda e: (e["subject"], e["predicate"], e["object"],
                                                   e["primary_knowledge_source"]))
    edge_lines = []
    for number, edge in enumerate(ordered, start=1):
        edge["id"] = f"{KGX_PREFIX}:edge/{number}"
        edge_lines.append(json.dumps(edge, sort_keys=True, ensure_ascii=False) + "\n")
    return node_lines, "".join(edge_lines)


def _cited(graph: Graph, item: URIRef, ids: Mapping[URIRef, str]) -> set[str]:
    """Publications an item's citation markers resolve to."""
    found = set()
    for marker in graph.objects(item, VX.hasCitationMarker):
        for entry in graph.objects(marker, VX.resolvesTo):
            for publication in graph.objects(entry, VX.describesPublication):
                if publication in ids:
                    found.add(ids[publication])
    return found


def _documents_of(graph: Graph, item: URIRef) -> list[URIRef]:
    """The documents an item is quoted from (through its quotes' sources)."""
    found = {doc for quote in graph.objects(item, VX.hasQuote) for doc in graph.objects(quote, OA.hasSource)}
    found.update(graph.objects(item, VX.inDocument))
    return sorted(found)


def _prefixed(iri: URIRef) -> str:
    text = str(iri)
    for prefix, namespace in sorted(PREFIXES.items()):
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


# ------------------------------------------------------------------ the table

@dataclass(frozen=True)
class Format:
    """One export format: its default file name, media type and writer."""

    filename: str
    media_type: str
    whole_graph: bool
    write: Callable[[Build, Path, "ExportRequest"], dict[Path, str | bytes]]


@dataclass(frozen=True)
class ExportRequest:
    """What ``vexas-kg export`` was asked for besides the format."""

    query: str | None = None
    params: tuple[tuple[str, str | tuple[str, ...]], ...] = ()


def _single(render: Callable[[Build], str]) -> Callable[[Build, Path, ExportRequest], dict[Path, str | bytes]]:
    return lambda build, out, request: {out: render(build)}


def _kgx_files(build: Build, out: Path, request: ExportRequest) -> dict[Path, str | bytes]:
    nodes, edges = to_kgx(build)
    stem = out.name[:-len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return {out.with_name(f"{stem}_nodes.jsonl"): nodes, out.with_name(f"{stem}_edges.jsonl"): edges}


def _csv_file(build: Build, out: Path, request: ExportRequest) -> dict[Path, str | bytes]:
    if not request.query:
        raise UsageError("--format csv needs --query NAME (and --param NAME=VALUE for its parameters)")
    return {out: named_query_csv(request.query, dict(request.params), build)}


def _network(render: str) -> Callable[[Build, Path, ExportRequest], dict[Path, str | bytes]]:
    def write(build: Build, out: Path, request: ExportRequest) -> dict[Path, str | bytes]:
        from vexas_kg.graph.export import network

        view = network.evidence_network(build.graph)
        return {out: network.to_graphml(view) if render == "graphml" else network.to_node_link(view)}
    return write


def _support(build: Build, out: Path, request: ExportRequest) -> dict[Path, str | bytes]:
    from vexas_kg.graph.export import network

    return {out: network.support_csv(network.claim_support(build.graph))}


FORMATS: dict[str, Format] = {
    "turtle": Format("vexas-kg.ttl", "text/turtle", True, _single(lambda b: to_turtle(b.graph))),
    "ntriples": Format("vexas-kg.nt", "application/n-triples", True, _single(lambda b: to_ntriples(b.graph))),
    "jsonld": Format("vexas-kg.jsonld", "application/ld+json", True, _single(lambda b: to_jsonld(b.graph))),
    "trig": Format("vexas-kg.trig", "application/trig", True, _single(to_trig)),
    "nquads": Format("vexas-kg.nq", "application/n-quads", True, _single(to_nquads)),
    "csv": Format("query.csv", "text/csv", False, _csv_file),
    "kgx": Format("vexas-kg", "application/x-ndjson", False, _kgx_files),
    "graphml": Format("vexas-kg.graphml", "application/graphml+xml", False, _network("graphml")),
    "nodelink": Format("vexas-kg.nodelink.json", "application/json", False, _network("nodelink")),
    "support": Format("claim-support.csv", "text/csv", False, _support),
    "void": Format("vexas-kg.void.ttl", "text/turtle", False, _single(lambda b: to_turtle(void_description(b)))),
}


STDOUT = Path("-")
"""``--out -``: write the one output file to standard output."""


def export(build: Build, fmt: str, out: Path | None = None, request: ExportRequest = ExportRequest(),
           out_dir: Path = Path("out")) -> list[Path]:
    """Write the build in ``fmt`` to ``out`` (default: ``out/<format's file name>``; ``-``: standard output).

    Returns the files written (none for standard output); a multi-file format's files replace their old
    versions together (``graph.store.output``).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    spec = FORMATS[fmt]
    if out is None:
        out = out_dir / (f"{request.query}.csv" if fmt == "csv" and request.query else spec.filename)
    if out == STDOUT:
        files = spec.write(build, Path(spec.filename), request)
        if len(files) != 1:
            raise UsageError(f"--format {fmt} writes {len(files)} files; --out - (standard output) takes one")
        write_stdout(next(iter(files.values())))
        return []
    files = spec.write(build, out, request)
    return write_set(files)


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """RFC 4180 CSV (CRLF line ends, as the SPARQL CSV results format uses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
