"""A networkx view of the evidence, and the claim-support analysis that walks it.

The view keeps what a reader follows from a recommendation back to data: drugs,
drug classes and procedures, studies, figures, claims, documents, reference
entries and publications. Citation markers are folded into ``cites`` edges
(claim -> reference entry, or -> a ``missing-reference`` node for a marker whose number has
no entry in the document's reference list) and study arms into ``tested`` edges (study ->
intervention). Node ids are the graph's IRIs; every node has ``kind`` and ``label``,
every edge a ``relation``. An edge's key in the multigraph (its GraphML ``id``) is
:func:`edge_key`: a hash of source, relation and target, unique and stable across builds.

The analysis, for every claim:

- **supporting documents**: the claim's own document, plus the documents of every
  figure printed in its statement (``vx:statedIn``), every item that ``vx:supports``
  it, and every claim it restates or that restates it (``vx:restates``);
- **independent**: how many independent lines of evidence those documents give. A
  document counts only when what it rests on is known and disjoint from the others: the
  primary studies reachable from its supporting items (see the path below) are not empty
  and share none with a document already counted, and its publisher differs. A document
  whose items reach no study (it cites only reviews, unverified or missing references)
  cannot be shown independent and adds nothing; neither does a second article of one
  publisher. ``independence`` says which case held ("not established: …");
- **path to a primary study**: a shortest path that follows what the claim rests on,
  ending at a ``vx:Study``: claim -> the figures printed in its statement -> their
  study; claim -> cited reference entry -> the publication it describes -> the study
  that publication reports; target -> whatever ``vx:supports`` it; and claims that
  restate each other, both ways. Edges are followed only in that direction and never
  through a document or a drug (which would connect everything, or connect two
  claims merely because they cite the same paper). Ties are broken by the study's
  IRI and then by the path's node IRIs.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Iterable

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from vexas_kg import model
from vexas_kg.graph.query.results import csv_text
from vexas_kg.ontology.vocab import OA, VX


def node_kinds() -> dict[URIRef, str]:
    """Class -> node ``kind`` of every kind the view holds (the registry's ``network`` column)."""
    return {k.cls: k.network for k in model.kinds() if k.network}

# How each relation is followed from a claim towards its evidence: +1 along the edge,
# -1 against it, 0 both ways.
EVIDENCE_DIRECTIONS = {"cites": 1, "describes": 1, "of-study": 1, "reported-in": -1, "stated-in": -1,
                       "supports": -1, "restates": 0}


def evidence_network(graph: Graph) -> nx.MultiDiGraph:
    """The networkx view of ``graph`` (deterministic: nodes and edges added in sorted order)."""
    view = nx.MultiDiGraph(name="vexas-kg evidence network")
    for cls, kind in node_kinds().items():
        for node in sorted(graph.subjects(RDF.type, cls)):
            if node not in view:
                label = graph.value(node, RDFS.label) or graph.value(node, DCTERMS.title) or node
                view.add_node(str(node), kind=kind, label=str(label))
    edges: list[tuple[str, str, str]] = []

    def link(source: URIRef, relation: str, target: URIRef) -> None:
        if str(source) in view and str(target) in view:
            edges.append((str(source), str(target), relation))

    plain = (("member-of", VX.memberOf), ("broader", SKOS.broader), ("reported-in", VX.reportedIn),
             ("stated-in", VX.statedIn), ("in-document", VX.inDocument), ("describes", VX.describesPublication),
             ("supports", VX.supports), ("disputes", VX.disputes), ("restates", VX.restates),
             ("mentions", VX.subject))
    for relation, predicate in plain:
        for s, o in graph.subject_objects(predicate):
            link(s, relation, o)
    for study, arm in graph.subject_objects(VX.hasArm):
        for intervention in graph.objects(arm, VX.intervention):
            link(study, "tested", intervention)
    for s, o in graph.subject_objects(VX.study):
        if (s, RDF.type, VX.Figure) in graph:
            link(s, "of-study", o)
    for item in graph.subjects(RDF.type, VX.Study):
        for quote in graph.objects(item, VX.hasQuote):
            for document in graph.objects(quote, OA.hasSource):
                link(item, "described-in", document)
    for claim, marker in sorted(graph.subject_objects(VX.hasCitationMarker)):
        entries = list(graph.objects(marker, VX.resolvesTo))
        for entry in entries:
            link(claim, "cites", entry)
        if not entries and str(claim) in view:
            # A marker with no entry in its document's reference list is kept, as a node of its own:
            # dropping it would show the claim as backed only by the references that do resolve.
            document = graph.value(marker, VX.inDocument)
            number = graph.value(marker, VX.citedNumber)
            if str(marker) not in view:
                view.add_node(str(marker), kind="missing-reference",
                              label=f"reference {number}: no entry in the reference list of "
                                    f"{str(document).rsplit('/', 1)[-1]}")
            link(claim, "cites", marker)
    for source, target, relation in sorted(set(edges)):
        view.add_edge(source, target, key=edge_key(source, relation, target), relation=relation)
    return view


def edge_key(source: str, relation: str, target: str) -> str:
    """An edge's id: ``e`` and the first 16 hex digits of SHA-256 over source, relation and target."""
    return "e" + hashlib.sha256(f"{source}\t{relation}\t{target}".encode()).hexdigest()[:16]


def to_graphml(view: nx.MultiDiGraph) -> bytes:
    """GraphML of the view."""
    buffer = io.BytesIO()
    nx.write_graphml(view, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def to_node_link(view: nx.MultiDiGraph) -> str:
    """networkx node-link JSON of the view, in the layout networkx 3.4+ reads by default (``edges``)."""
    data = nx.node_link_data(view, edges="edges")
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def from_node_link(text: str) -> nx.MultiDiGraph:
    """Read back what :func:`to_node_link` wrote (networkx's default reader; the file says directed, multigraph)."""
    return nx.node_link_graph(json.loads(text))


@dataclass(frozen=True)
class ClaimSupport:
    """The analysis result for one claim."""

    claim: str
    document: str
    supporting_documents: tuple[str, ...]
    independent: int
    independence: str
    study: str | None
    path: tuple[str, ...]

    @property
    def path_length(self) -> int | None:
        return len(self.path) - 1 if self.path else None


def claim_support(graph: Graph, view: nx.MultiDiGraph | None = None) -> list[ClaimSupport]:
    """For every claim: supporting documents, independent publishers, shortest path to a primary study."""
    view = view if view is not None else evidence_network(graph)
    evidence = evidence_paths(view)
    studies = {n for n, kind in view.nodes(data="kind") if kind == "study"}
    results = []
    for claim in sorted(graph.subjects(RDF.type, VX.Claim)):
        document = graph.value(claim, VX.inDocument)
        supporters = set(graph.subjects(VX.supports, claim)) | set(graph.subjects(VX.statedIn, claim))
        supporters |= set(graph.subjects(VX.restates, claim)) | set(graph.objects(claim, VX.restates))
        documents = {document} | {d for item in supporters for d in graph.objects(item, VX.inDocument)}
        documents.discard(None)
        items = {claim} | supporters
        bases = {d: {s for item in items if graph.value(item, VX.inDocument) == d
                     for s in _studies_of(evidence, str(item), studies)} for d in documents}
        independent, independence = _lines(graph, claim, bases)
        study, path = _nearest_study(evidence, str(claim), studies)
        results.append(ClaimSupport(str(claim), str(document), tuple(sorted(str(d) for d in documents)),
                                    independent, independence, study, path))
    return results


def _studies_of(evidence: nx.DiGraph, item: str, studies: set[str]) -> set[str]:
    """The primary studies an item rests on: every study reachable along the evidence paths."""
    return set(nx.descendants(evidence, item)) & studies if item in evidence else set()


def _lines(graph: Graph, claim: URIRef, bases: dict[URIRef, set[str]]) -> tuple[int, str]:
    """How many independent lines of evidence the supporting documents give, and why.

    The claim's own document is the first line. Another document adds one only when its studies are
    known, disjoint from every counted line's, and its publisher is new."""
    own = graph.value(claim, VX.inDocument)
    counted = [own]
    seen_studies = set(bases.get(own, set()))
    publishers = {str(graph.value(own, DCTERMS.publisher) or own)}
    reasons = []
    for document in sorted(d for d in bases if d != own):
        short = str(document).rsplit("/", 1)[-1]
        publisher = str(graph.value(document, DCTERMS.publisher) or document)
        if publisher in publishers:
            reasons.append(f"{short} has the same publisher")
        elif not bases[document]:
            reasons.append(f"{short} rests on no study the graph traces")
        elif not seen_studies:
            reasons.append(f"{str(own).rsplit('/', 1)[-1]} rests on no study the graph traces")
        elif bases[document] & seen_studies:
            reasons.append(f"{short} rests on the same study")
        else:
            counted.append(document)
            seen_studies |= bases[document]
            publishers.add(publisher)
    if len(bases) == 1:
        return 1, "one document"
    if reasons:
        return len(counted), "not established: " + "; ".join(reasons)
    return len(counted), "established: disjoint studies and publishers"


def evidence_paths(view: nx.MultiDiGraph) -> nx.DiGraph:
    """The directed graph "rests on": an edge A -> B where A's evidence continues at B."""
    evidence = nx.DiGraph()
    evidence.add_nodes_from(sorted(n for n, kind in view.nodes(data="kind")
                                   if kind not in ("document", "drug", "drug-class", "procedure")))
    steps = set()
    for u, v, relation in view.edges(data="relation"):
        direction = EVIDENCE_DIRECTIONS.get(relation)
        if direction is None or u not in evidence or v not in evidence:
            continue
        if direction >= 0:
            steps.add((u, v))
        if direction <= 0:
            steps.add((v, u))
    evidence.add_edges_from(sorted(steps))
    return evidence


def _nearest_study(evidence: nx.DiGraph, claim: str, studies: set[str]) -> tuple[str | None, tuple[str, ...]]:
    if claim not in evidence:
        return None, ()
    lengths = nx.single_source_shortest_path_length(evidence, claim)
    reachable = sorted((length, node) for node, length in lengths.items() if node in studies)
    if not reachable:
        return None, ()
    _, study = reachable[0]
    best = min(tuple(p) for p in nx.all_shortest_paths(evidence, claim, study))
    return study, best


def support_csv(results: Iterable[ClaimSupport]) -> str:
    """The analysis as CSV, one row per claim."""
    rows = [[r.claim, r.document, str(len(r.supporting_documents)), str(r.independent), r.independence,
             " ".join(r.supporting_documents), r.study or "", "" if r.path_length is None else str(r.path_length),
             " ".join(r.path)] for r in results]
    return csv_text(["claim", "document", "documents", "independent", "independence", "supporting_documents",
                     "study", "path_length", "path"], rows)
