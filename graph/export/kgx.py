"""KGX (Biolink) nodes and edges as JSON Lines, with the prefix map and knowledge sources they use.

Identifiers follow KGX's CURIE rule (``prefix:local``, no ``/`` in the local part) and
every prefix is either in the Biolink prefix map, in Biolink's casing, or declared in
the export's own prefix map (``<stem>_prefixes.jsonld``):

- an entity with a verified external identifier (``evidence/reference/``) is that
  identifier (MONDO, HGNC, CHEBI, DRUGBANK, HP; PMID for publications);
- anything else is our own CURIE whose expansion is exactly its IRI: the IRI's parent
  path becomes the prefix (``https://w3id.org/vexas-kg/id/drug/ruxolitinib`` =
  ``VEXASKG.DRUG:ruxolitinib``, prefix ``VEXASKG.DRUG`` =
  ``https://w3id.org/vexas-kg/id/drug/``), the Biolink style of ``CHEMBL.COMPOUND``;
- knowledge sources are ``infores:`` CURIEs. None is registered for vexas-kg or its
  source documents, so ours are declared (``infores:vexas-kg`` for the curated data,
  ``infores:vexas-kg-doc-000`` … for what a document asserts) and named in
  ``<stem>_infores.tsv``; ``infores:`` itself is declared too, because the Biolink
  prefix map lacks it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from vexas_kg import model
from vexas_kg.errors import DataError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.provenance import cited_publications, documents_of, quotes
from vexas_kg.ontology import iris
from vexas_kg.ontology.vocab import BIBO, VX, VXID


def kgx_categories() -> dict[URIRef, str]:
    """Class -> Biolink category of every kind the export holds (the registry's ``kgx`` column; asked
    each time, so a kind registered later is exported too)."""
    return {k.cls: k.kgx for k in model.kinds() if k.kgx}


ID_PREFERENCE = ("MONDO", "HGNC", "CHEBI", "DRUGBANK", "HP")
OWN_PREFIX = "VEXASKG"
INFORES = "https://w3id.org/infores/"
CURATED = "infores:vexas-kg"
# Schemes of verified identifiers that the Biolink prefix map lacks: declared with the
# expansion the graph's own skos:exactMatch IRIs use.
EXTRA_PREFIXES = {"ATC": "https://identifiers.org/atc:"}
# The vocabularies of ``original_predicate``.
PREDICATE_PREFIXES = {"vx": str(VX), "skos": str(SKOS)}
_LOCAL = re.compile(r"^[^/ :<>()]+$")


def own_curie(iri: URIRef) -> tuple[str, str, str]:
    """``(CURIE, prefix, namespace)`` of one of our IRIs; the CURIE expands back to exactly ``iri``."""
    path, base = iris.instance_path(iri), str(VXID)
    if path is None:
        raise DataError(f"KGX: {iri} is not a vexas-kg IRI")
    parent, _, local = path.rpartition("/")
    if not _LOCAL.match(local):
        raise DataError(f"KGX: the last segment of {iri} cannot be a CURIE's local part")
    prefix = OWN_PREFIX + "".join(f".{segment.upper()}" for segment in parent.split("/") if segment)
    return f"{prefix}:{local}", prefix, base + (f"{parent}/" if parent else "")


STATUS_NOTE = "the source document prints its editorial status: {}"
"""How a document's node and every edge it is the knowledge source of say its editorial status (Biolink's
``description``, a slot of every entity and association): a consumer reading one edge of a document that says
"content is pending human review" is told so, as the RDF, nanopub and FHIR exports tell theirs."""


def editorial_status(graph: Graph, document: URIRef) -> str:
    """The document's editorial status(es) as printed, joined; empty when it prints none."""
    return "; ".join(sorted(str(s) for s in graph.objects(document, VX.editorialStatus)))


def document_infores(document: URIRef) -> str:
    """The knowledge source a document is: ``infores:vexas-kg-doc-<id>``."""
    return f"infores:vexas-kg-doc-{str(document).rsplit('/', 1)[1]}"


@dataclass
class KgxExport:
    """The KGX files' content: nodes, edges, the declared prefix map and knowledge sources."""

    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    infores: dict[str, tuple[str, str]] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    """Knowledge source -> the editorial status its document prints ("content is pending human review")."""

    def nodes_jsonl(self) -> str:
        return "".join(json.dumps(n, sort_keys=True, ensure_ascii=False) + "\n" for n in self.nodes)

    def edges_jsonl(self) -> str:
        return "".join(json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n" for e in self.edges)

    def prefixes_jsonld(self) -> str:
        return json.dumps({"@context": dict(sorted(self.prefixes.items()))}, indent=1, ensure_ascii=False) + "\n"

    def infores_tsv(self) -> str:
        rows = [f"{curie}\t{name}\t{iri}\t{self.status.get(curie, '')}\n"
                for curie, (name, iri) in sorted(self.infores.items())]
        return "infores\tname\tiri\teditorial_status\n" + "".join(rows)


class _Writer:
    """Collects nodes, edges and the prefixes they use."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.result = KgxExport()
        self.ids: dict[URIRef, str] = {}
        self.edges: dict[tuple[str, str, str, str, tuple[str, ...]], dict] = {}
        self.result.prefixes["infores"] = INFORES
        self.result.prefixes.update(PREDICATE_PREFIXES)
        self.result.infores[CURATED] = ("vexas-kg: curated entities, classes and identifiers", str(VXID["dataset"]))

    def own(self, iri: URIRef) -> str:
        curie, prefix, namespace = own_curie(iri)
        self.result.prefixes[prefix] = namespace
        return curie

    def external(self, curie: str) -> str:
        prefix = curie.split(":", 1)[0]
        if prefix in EXTRA_PREFIXES:
            self.result.prefixes[prefix] = EXTRA_PREFIXES[prefix]
        return curie

    def publication_id(self, node: URIRef) -> str:
        pmid = next(iter(sorted(self.graph.objects(node, BIBO.pmid))), None)
        return f"PMID:{pmid}" if pmid is not None else self.own(node)

    def node_id(self, node: URIRef) -> str:
        """A verified external identifier where the graph has one, else our own CURIE."""
        identifiers = {str(i).split(":", 1)[0]: str(i) for i in self.graph.objects(node, DCTERMS.identifier)}
        for prefix in ID_PREFERENCE:
            if prefix in identifiers:
                return identifiers[prefix]
        return self.publication_id(node)

    def source(self, document: URIRef) -> str:
        curie = document_infores(document)
        g = self.graph
        name = f"{g.value(document, DCTERMS.publisher)}: {g.value(document, DCTERMS.title)} ({g.value(document, DCTERMS.date)})"
        self.result.infores[curie] = (name, str(document))
        status = editorial_status(g, document)
        if status:
            self.result.status[curie] = status
        return curie

    def add_nodes(self) -> None:
        g = self.graph
        nodes = {}
        for cls, category in kgx_categories().items():
            for node in sorted(g.subjects(RDF.type, cls)):
                if node in self.ids:
                    continue
                self.ids[node] = node_id = self.node_id(node)
                label = g.value(node, RDFS.label) or g.value(node, DCTERMS.title)
                record = {"id": node_id, "category": [category], "name": str(label) if label is not None else node_id,
                          "iri": str(node), "provided_by": [CURATED]}
                xrefs = {self.external(str(i)) for i in g.objects(node, DCTERMS.identifier)}
                xrefs.update(f"PMID:{p}" for p in g.objects(node, BIBO.pmid))
                xrefs.update(f"https://doi.org/{d}" for d in g.objects(node, BIBO.doi))
                xrefs.add(self.own(node))
                xrefs.discard(node_id)
                if xrefs:
                    record["xref"] = sorted(xrefs)
                definition = g.value(node, SKOS.definition)
                if definition is not None:
                    record["description"] = str(definition)
                status = editorial_status(g, node)
                if status:
                    record["description"] = STATUS_NOTE.format(status)
                nodes[node_id] = record
        self.result.nodes = [nodes[k] for k in sorted(nodes)]

    def add(self, subject: URIRef, predicate: str, obj: URIRef, original: str, source: str,
            texts: Iterable[str] = (), publications: Iterable[str] = ()) -> None:
        """One edge per (subject, predicate, object, source, publications): statements that cite
        different publications are separate edges, so an edge's publications back every one of its
        supporting texts (a review cited by three statements is not the source of thirty)."""
        if subject not in self.ids or obj not in self.ids:
            return
        cited = tuple(sorted(set(publications)))
        key = (self.ids[subject], predicate, self.ids[obj], source, cited)
        edge = self.edges.setdefault(key, {
            "subject": key[0], "predicate": predicate, "object": key[2], "original_predicate": original,
            "primary_knowledge_source": source, "knowledge_level": "knowledge_assertion",
            "agent_type": "manual_agent"})
        if source != CURATED:
            edge["aggregator_knowledge_source"] = [CURATED]
        if source in self.result.status:
            edge["description"] = STATUS_NOTE.format(self.result.status[source])
        texts, publications = set(texts), set(publications)
        if texts:
            edge["supporting_text"] = sorted(set(edge.get("supporting_text", [])) | texts)
        if publications:
            edge["publications"] = sorted(set(edge.get("publications", [])) | publications)

    def add_edges(self) -> None:
        g = self.graph
        for drug, cls in sorted(g.subject_objects(VX.memberOf)):
            self.add(drug, "biolink:member_of", cls, "vx:memberOf", CURATED)
        for narrow, broad in sorted(g.subject_objects(SKOS.broader)):
            self.add(narrow, "biolink:subclass_of", broad, "skos:broader", CURATED)
        for disease, gene in sorted(g.subject_objects(VX.associatedGene)):
            self.add(disease, "biolink:condition_associated_with_gene", gene, "vx:associatedGene", CURATED)
        mentions = [(item, target, "vx:subject") for item, target in g.subject_objects(VX.subject)]
        mentions += [(item, target, "vx:appliesTo") for item, target in g.subject_objects(VX.appliesTo)]
        for item, target, original in sorted(mentions):
            document = g.value(item, VX.inDocument)
            if document is not None and document in self.ids:
                cited = {self.ids[p] for p in cited_publications(g, item) if p in self.ids}
                self.add(document, "biolink:mentions", target, original, self.source(document),
                         {q.exact for q in quotes(g, item)}, {self.ids[document]} | cited)
        for study in sorted(self.ids):
            if (study, RDF.type, VX.Study) not in g:
                continue
            reported = {self.ids[p] for p in g.objects(study, VX.reportedIn) if p in self.ids}
            for arm in sorted(g.objects(study, VX.hasArm)):
                arm_quotes = quotes(g, arm)
                for document in documents_of(g, arm) or documents_of(g, study):
                    texts = {q.exact for q in arm_quotes if q.document == document}
                    for intervention in sorted(g.objects(arm, VX.intervention)):
                        self.add(study, "biolink:related_to", intervention, "vx:intervention", self.source(document),
                                 texts, reported | {self.ids[document]})
        ordered = sorted(self.edges.values(), key=lambda e: (e["subject"], e["predicate"], e["object"],
                                                             e["primary_knowledge_source"], e.get("publications", [])))
        for edge in ordered:
            digest = hashlib.sha256("\t".join((edge["subject"], edge["predicate"], edge["object"],
                                               edge["primary_knowledge_source"], *edge.get("publications", [])))
                                    .encode()).hexdigest()[:16]
            edge["id"] = f"{OWN_PREFIX}.KGX-EDGE:{digest}"
        self.result.prefixes[f"{OWN_PREFIX}.KGX-EDGE"] = str(VXID["kgx-edge/"])
        self.result.edges = ordered


def to_kgx(build: Build) -> KgxExport:
    """KGX nodes and edges of the build, sorted by id (see docs/exchange.md for the mapping)."""
    writer = _Writer(build.graph)
    writer.add_nodes()
    writer.add_edges()
    return writer.result
