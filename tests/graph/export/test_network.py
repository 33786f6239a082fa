"""The networkx view (GraphML, node-link JSON) and the claim-support analysis, checked against the build."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.formats import export
from vexas_kg.graph.export.network import (
    node_kinds,
    claim_support,
    evidence_network,
    edge_key,
    evidence_paths,
    from_node_link,
    to_graphml,
    to_node_link,
)
from vexas_kg.ontology.vocab import VX, VXID


@pytest.fixture(scope="module")
def view(built: Build) -> nx.MultiDiGraph:
    return evidence_network(built.graph)


@pytest.fixture(scope="module")
def support(built: Build, view: nx.MultiDiGraph):
    return {r.claim: r for r in claim_support(built.graph, view)}


def test_every_drug_class_study_figure_claim_document_and_citation_is_a_node(built: Build, view) -> None:
    for cls, kind in node_kinds().items():
        members = {str(n) for n in built.graph.subjects(RDF.type, cls)}
        assert members, f"the build has no {kind}"
        for member in members:
            assert member in view
    assert view.nodes[str(next(iter(sorted(built.graph.subjects(RDF.type, VX.Drug)))))]["kind"] == "drug"


def edges_of(view: nx.MultiDiGraph, relation: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, r in view.edges(data="relation") if r == relation}


def test_edges_follow_the_graph(built: Build, view, record_citations) -> None:
    g = built.graph
    assert edges_of(view, "member-of") == {(str(s), str(o)) for s, o in g.subject_objects(VX.memberOf)}
    assert edges_of(view, "broader") == {(str(s), str(o)) for s, o in g.subject_objects(SKOS.broader)
                                         if (s, RDF.type, VX.DrugClass) in g}
    assert edges_of(view, "stated-in") == {(str(s), str(o)) for s, o in g.subject_objects(VX.statedIn)
                                           if (s, RDF.type, VX.Figure) in g}
    tested = {(str(study), str(i)) for study, arm in g.subject_objects(VX.hasArm)
              for i in g.objects(arm, VX.intervention)}
    assert edges_of(view, "tested") == tested
    cites = {(claim, entry) for claim, entries in record_citations.claim_entries.items() for entry in entries}
    assert len(cites) >= 10, "the expectation comes from the records' cites and reference lists, not the graph"
    assert {(u, v) for u, v in edges_of(view, "cites") if view.nodes[v]["kind"] != "missing-reference"} == cites
    for u, v, key, relation in view.edges(keys=True, data="relation"):
        assert key == edge_key(u, relation, v)
    keys = [key for _, _, key in view.edges(keys=True)]
    assert len(keys) == len(set(keys))


def same_view(left: nx.MultiDiGraph, right: nx.MultiDiGraph) -> None:
    assert dict(left.nodes(data=True)) == dict(right.nodes(data=True))
    assert sorted(left.edges(keys=True, data=True)) == sorted(right.edges(keys=True, data=True))


def test_graphml_round_trips(built: Build, view, tmp_path: Path) -> None:
    [path] = export(built, "graphml", out_dir=tmp_path)
    reread = nx.read_graphml(path, force_multigraph=True)
    assert path.read_bytes() == to_graphml(view)
    same_view(reread, view)


def test_graphml_edge_ids_are_unique_and_stable(built: Build, view, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    [path] = export(built, "graphml", out_dir=tmp_path)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    ids = [e.get("id") for e in ET.parse(path).getroot().iterfind(".//g:edge", ns)]
    assert len(ids) == view.number_of_edges() == len(set(ids)) and all(ids)
    reread = nx.read_graphml(path, force_multigraph=True)
    assert sorted(reread.edges(keys=True)) == sorted(view.edges(keys=True))
    assert set(ids) == {edge_key(u, r, v) for u, v, r in view.edges(data="relation")}


def test_node_link_round_trips_with_the_default_reader(built: Build, view, tmp_path: Path) -> None:
    [path] = export(built, "nodelink", out_dir=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text == to_node_link(view)
    data = json.loads(text)
    assert "edges" in data and "links" not in data
    reread = nx.node_link_graph(data)
    assert reread.is_directed() and reread.is_multigraph()
    same_view(reread, view)
    same_view(from_node_link(text), view)


def test_every_claim_is_analysed(built: Build, support) -> None:
    assert set(support) == {str(c) for c in built.graph.subjects(RDF.type, VX.Claim)}


def test_paths_follow_evidence_edges_to_a_study(built: Build, view, support) -> None:
    evidence = evidence_paths(view)
    studies = {str(s) for s in built.graph.subjects(RDF.type, VX.Study)}
    reached = [r for r in support.values() if r.path]
    assert reached, "no claim reaches a study"
    for result in reached:
        assert result.path[0] == result.claim and result.path[-1] == result.study in studies
        for step in zip(result.path, result.path[1:]):
            assert evidence.has_edge(*step), f"{step} is not an evidence step"
        lengths = nx.single_source_shortest_path_length(evidence, result.claim)
        assert min(lengths[s] for s in studies if s in lengths) == result.path_length
    for result in support.values():
        if not result.path:
            lengths = nx.single_source_shortest_path_length(evidence, result.claim)
            assert not studies & set(lengths)


def test_a_claim_printing_figures_reaches_their_study_in_two_steps(built: Build, support) -> None:
    g = built.graph
    stated = sorted({(claim, figure) for figure, claim in g.subject_objects(VX.statedIn)
                     if (figure, RDF.type, VX.Figure) in g and g.value(figure, VX.study) is not None})
    assert stated
    for claim, _ in stated:
        figures = sorted(str(f) for f in g.subjects(VX.statedIn, claim) if g.value(f, VX.study) is not None)
        result = support[str(claim)]
        assert result.path_length == 2
        assert result.path[1] in figures
        assert result.path[2] == str(g.value(URIRef(result.path[1]), VX.study))


def test_supporting_documents_and_independence(built: Build, support) -> None:
    g = built.graph
    for result in support.values():
        claim = URIRef(result.claim)
        assert result.document in result.supporting_documents
        others = set(g.subjects(VX.supports, claim)) | set(g.subjects(VX.restates, claim))
        others |= set(g.objects(claim, VX.restates))
        for item in others:
            assert str(g.value(item, VX.inDocument)) in result.supporting_documents
        publishers = {str(g.value(URIRef(d), DCTERMS.publisher)) for d in result.supporting_documents}
        assert 1 <= result.independent <= len(publishers) <= len(result.supporting_documents)
        if len(result.supporting_documents) > 1 and result.independent < len(result.supporting_documents):
            assert result.independence.startswith("not established: "), result
    restated = [r for r in support.values() if len(r.supporting_documents) > 1
                and len({str(g.value(URIRef(d), DCTERMS.publisher)) for d in r.supporting_documents}) == 1]
    assert restated, "expected claims restated by a second article of the same publisher"
    assert all(r.independent == 1 for r in restated)


def test_a_document_resting_on_no_traced_study_is_not_independent_evidence(built: Build, support) -> None:
    """Finding A21: 001 ("Tocilizumab … has shown efficacy … 3, 4, 1", citing a CNS-vasculitis paper, an
    overview and a review) was counted as a second independent document for 004's conclusion from the
    French registry. A supporting document counts only when the studies it rests on are known: each
    document counted beyond the first reaches a study through its own supporting items."""
    g = built.graph
    evidence = evidence_paths(evidence_network(g))
    studies = {str(s) for s in g.subjects(RDF.type, VX.Study)}
    for result in support.values():
        if result.independent < 2:
            continue
        claim = URIRef(result.claim)
        items = {claim} | set(g.subjects(VX.supports, claim)) | set(g.subjects(VX.statedIn, claim))
        for document in result.supporting_documents:
            reached = {s for i in items if str(g.value(i, VX.inDocument)) == document and str(i) in evidence
                       for s in nx.descendants(evidence, str(i))} & studies
            assert reached, (result.claim, document)
    toci = support[str(VXID["doc/004/claim/tocilizumab-good-alternative"])]
    assert len(toci.supporting_documents) == 2 and toci.independent == 1
    assert toci.independence == "not established: 001 rests on no study the graph traces"


def test_support_csv_has_one_row_per_claim(built: Build, support, tmp_path: Path) -> None:
    [path] = export(built, "support", out_dir=tmp_path)
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"))))
    assert [r["claim"] for r in rows] == sorted(support)
    for row in rows:
        result = support[row["claim"]]
        assert int(row["documents"]) == len(result.supporting_documents)
        assert int(row["independent"]) == result.independent
        assert row["path"].split() == list(result.path)
        assert row["path_length"] == ("" if result.path_length is None else str(result.path_length))


def test_an_unresolved_citation_marker_is_kept_not_dropped(built: Build) -> None:
    """Finding A20 (addendum): 000:vte-risk cites [1, 7, 6]; 6 and 7 have no reference entry, and the network
    view kept only the edge to reference 1, showing the claim as backed by that review alone. Every citation
    marker is an edge: to its reference entry, or to a ``missing-reference`` node."""
    g = built.graph
    view = evidence_network(g)
    for claim, marker in g.subject_objects(VX.hasCitationMarker):
        if str(claim) not in view:
            continue
        targets = {v for _, v, r in view.out_edges(str(claim), data="relation") if r == "cites"}
        entries = {str(e) for e in g.objects(marker, VX.resolvesTo)}
        if entries:
            assert entries <= targets
        else:
            assert str(marker) in targets and view.nodes[str(marker)]["kind"] == "missing-reference"
    vte = str(VXID["doc/000/claim/vte-risk"])
    missing = [v for _, v, r in view.out_edges(vte, data="relation") if view.nodes[v]["kind"] == "missing-reference"]
    assert len(missing) == 2
