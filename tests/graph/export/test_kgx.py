"""KGX export: checked by KGX itself (`kgx validate`, `kgx transform` to N-Triples), offline,
with the Biolink model and prefix map shipped in the `biolink-model` wheel."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.formats import export
from vexas_kg.graph.export.kgx import kgx_categories, own_curie
from vexas_kg.ontology.vocab import OA, VX, VXID

ROOT = Path(__file__).resolve().parents[3]
RUNNER = ROOT / "scripts" / "kgx_offline.py"
BIOLINK_KNOWLEDGE_LEVELS = {"knowledge_assertion", "logical_entailment", "prediction", "statistical_association",
                            "observation", "not_provided"}
BIOLINK_AGENT_TYPES = {"manual_agent", "automated_agent", "data_analysis_pipeline", "computational_model",
                       "text_mining_agent", "image_processing_agent", "manual_validation_of_automated_agent",
                       "not_provided"}


@pytest.fixture(scope="module")
def kgx_dir(built: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kgx")
    paths = export(built, "kgx", out_dir=out)
    assert [p.name for p in paths] == ["vexas-kg_edges.jsonl", "vexas-kg_infores.tsv", "vexas-kg_nodes.jsonl",
                                       "vexas-kg_prefixes.jsonld"]
    return out


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def nodes(kgx_dir: Path) -> list[dict]:
    return read_jsonl(kgx_dir / "vexas-kg_nodes.jsonl")


@pytest.fixture(scope="module")
def edges(kgx_dir: Path) -> list[dict]:
    return read_jsonl(kgx_dir / "vexas-kg_edges.jsonl")


@pytest.fixture(scope="module")
def declared(kgx_dir: Path) -> dict[str, str]:
    return json.loads((kgx_dir / "vexas-kg_prefixes.jsonld").read_text(encoding="utf-8"))["@context"]


def biolink_prefixes() -> dict[str, str]:
    return json.loads(files("biolink_model").joinpath("prefixmaps/biolink_model_prefix_map.json").read_text())


def offline_kgx(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The KGX command line through the offline runner, with every HTTP(S) request sent to a dead port."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "http_proxy", "https_proxy")}
    env.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
    return subprocess.run([sys.executable, str(RUNNER), "--prefixes", "vexas-kg_prefixes.jsonld", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_kgx_validate_reports_no_error(kgx_dir: Path) -> None:
    done = offline_kgx("validate", "-i", "jsonl", "vexas-kg_nodes.jsonl", "vexas-kg_edges.jsonl", cwd=kgx_dir)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # KGX 2.6 writes the report to stderr whatever -o says
    report, _ = json.JSONDecoder().raw_decode(done.stderr[done.stderr.index("{"):])
    assert report == {}


@pytest.mark.slow
def test_the_offline_validator_does_find_errors(kgx_dir: Path, tmp_path: Path) -> None:
    for name in ("vexas-kg_nodes.jsonl", "vexas-kg_edges.jsonl", "vexas-kg_prefixes.jsonld"):
        (tmp_path / name).write_bytes((kgx_dir / name).read_bytes())
    with (tmp_path / "vexas-kg_nodes.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "vexaskg:drug/x", "category": ["biolink:Drug"], "name": "x"}) + "\n")
    done = offline_kgx("validate", "-i", "jsonl", "vexas-kg_nodes.jsonl", "vexas-kg_edges.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert "vexaskg:drug/x" in done.stderr


@pytest.mark.slow
def test_kgx_transform_to_ntriples_expands_every_curie(kgx_dir: Path, nodes: list[dict], built: Build) -> None:
    done = offline_kgx("transform", "-i", "jsonl", "-f", "nt", "-o", "kgx.nt", "vexas-kg_nodes.jsonl",
                       "vexas-kg_edges.jsonl", cwd=kgx_dir)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = (kgx_dir / "kgx.nt").read_text(encoding="utf-8")
    assert "UNKNOWN" not in text
    graph = Graph().parse(data=text, format="nt")
    subjects = {str(s) for s in graph.subjects()}
    for node in nodes:
        if node["id"].startswith("VEXASKG"):
            assert node["iri"] in subjects, f"{node['id']} does not expand to its IRI {node['iri']}"
    ours = {str(o) for o in graph.objects() if str(o).startswith(str(VXID)) and "/kgx-edge/" not in str(o)}
    assert ours and ours <= {str(s) for s in built.graph.subjects()}


def prefixes_used(nodes: list[dict], edges: list[dict]) -> set[str]:
    curies = [n["id"] for n in nodes] + [c for n in nodes for c in n.get("xref", []) + n["provided_by"]]
    for edge in edges:
        curies += [edge["id"], edge["subject"], edge["object"], edge["original_predicate"],
                   edge["primary_knowledge_source"], *edge.get("aggregator_knowledge_source", []),
                   *edge.get("publications", [])]
    return {c.split(":", 1)[0] for c in curies if not c.startswith("https://")}


def test_every_prefix_is_biolinks_or_declared(nodes, edges, declared) -> None:
    biolink = biolink_prefixes()
    for prefix in prefixes_used(nodes, edges):
        assert prefix in biolink or prefix in declared, prefix
    for prefix, namespace in declared.items():
        assert biolink.get(prefix, namespace) == namespace, f"{prefix} declared differently from Biolink"
    assert set(declared) <= prefixes_used(nodes, edges) | {"infores"}


def test_ids_are_kgx_curies(nodes, edges) -> None:
    import re

    curie = re.compile(r"^[^ <()>:]*:[^/ :]+$")  # KGX's PrefixManager.is_curie
    for value in [n["id"] for n in nodes] + [x for e in edges for x in (e["id"], e["subject"], e["object"])]:
        assert curie.match(value), value


def test_own_curies_expand_to_their_iri(built: Build, declared) -> None:
    for cls in kgx_categories():
        for node in built.graph.subjects(RDF.type, cls):
            text, prefix, namespace = own_curie(node)
            assert declared.get(prefix, namespace) == namespace
            assert namespace + text.split(":", 1)[1] == str(node)


def reference_ids() -> set[str]:
    root = files("vexas_kg.evidence").joinpath("reference")
    ids = set()
    with root.joinpath("identifiers.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            ids.add(row["id"] if ":" in row["id"] else f"{row['scheme'].upper()}:{row['id']}")
    with root.joinpath("publications.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            ids |= {f"PMID:{row['pmid']}"} if row["pmid"] else set()
            ids |= {f"https://doi.org/{row['doi']}"} if row["doi"] else set()
    return ids


def test_only_verified_external_identifiers(nodes, edges) -> None:
    known = reference_ids()
    ours = ("VEXASKG", "infores:", "vx:", "skos:")
    values = [n["id"] for n in nodes] + [x for n in nodes for x in n.get("xref", [])]
    values += [p for e in edges for p in e.get("publications", [])] + [x for e in edges for x in (e["subject"], e["object"])]
    external = {v for v in values if not v.startswith(ours)}
    assert external and external <= known, external - known


def test_edges_carry_knowledge_sources_levels_quotes_and_publications(built: Build, kgx_dir, nodes, edges) -> None:
    infores = {row["infores"]: row for row in csv.DictReader(
        (kgx_dir / "vexas-kg_infores.tsv").open(encoding="utf-8"), delimiter="\t")}
    exact = {str(o) for o in built.graph.objects(None, OA.exact)}
    ids = {n["id"] for n in nodes}
    assert len({e["id"] for e in edges}) == len(edges)
    for edge in edges:
        assert edge["subject"] in ids and edge["object"] in ids
        assert edge["knowledge_level"] in BIOLINK_KNOWLEDGE_LEVELS
        assert edge["agent_type"] in BIOLINK_AGENT_TYPES
        assert edge["primary_knowledge_source"] in infores
        assert all(a in infores for a in edge.get("aggregator_knowledge_source", []))
        assert set(edge.get("supporting_text", [])) <= exact
    mentions = [e for e in edges if e["predicate"] == "biolink:mentions"]
    assert mentions and all(e["supporting_text"] and e["publications"] for e in mentions)
    by_id = {n["id"]: n for n in nodes}
    for edge in mentions:
        document = by_id[edge["subject"]]["iri"]
        assert infores[edge["primary_knowledge_source"]]["iri"] == document
        assert edge["aggregator_knowledge_source"] == ["infores:vexas-kg"]


def test_an_edges_publications_are_cited_by_each_statement_it_quotes(built: Build, nodes, edges) -> None:
    """Finding A20: a document's mentions edge once listed one review as the publication for thirty quotes
    of which three cite it. Every publication on an edge other than the document itself must be one that
    each statement quoted in its supporting_text cites (through a resolved citation marker), and no
    statement's cited publications may go missing."""
    g = built.graph
    iri_of = {n["id"]: n.get("iri") for n in nodes}
    cited: dict[str, set[frozenset[str]]] = {}
    for item in set(g.subjects(VX.subject, None)) | set(g.subjects(VX.appliesTo, None)):
        publications = frozenset(str(p) for marker in g.objects(item, VX.hasCitationMarker)
                                 for entry in g.objects(marker, VX.resolvesTo)
                                 for p in g.objects(entry, VX.describesPublication))
        for quote in g.objects(item, VX.hasQuote):
            for selector in g.objects(quote, OA.hasSelector):
                if g.value(selector, OA.exact) is not None:
                    cited.setdefault(str(g.value(selector, OA.exact)), set()).add(publications)
    mentions = [e for e in edges if e["predicate"] == "biolink:mentions"]
    checked = 0
    for edge in mentions:
        document = iri_of[edge["subject"]]
        on_edge = frozenset(iri_of[p] for p in edge["publications"] if iri_of[p] != document)
        for text in edge["supporting_text"]:
            checked += 1
            assert on_edge in cited[text], (edge["subject"], edge["object"], text[:80], sorted(on_edge))
    assert checked > 50


def test_kgx_uses_verified_identifiers_and_keeps_every_membership(built: Build, nodes, edges) -> None:
    by_iri = {n["iri"]: n for n in nodes}
    for subject, identifier in built.graph.subject_objects(DCTERMS.identifier):
        if str(identifier).startswith("MONDO:"):
            assert by_iri[str(subject)]["id"] == str(identifier)
    iri_of = {n["id"]: n["iri"] for n in nodes}
    memberships = {(iri_of[e["subject"]], iri_of[e["object"]]) for e in edges if e["predicate"] == "biolink:member_of"}
    assert memberships == {(str(d), str(c)) for d, c in built.graph.subject_objects(VX.memberOf)}
    for node in nodes:
        assert node["category"] and all(c.startswith("biolink:") for c in node["category"])
        assert node["name"] and URIRef(node["iri"]) in set(built.graph.subjects())


def test_every_edge_and_node_from_a_document_says_its_editorial_status(built: Build, kgx_dir, nodes, edges) -> None:
    """Audit A7 for KGX: 000 and 001 print "Exercise caution as content is pending human review"; the RDF, nanopub
    and FHIR exports carry it, KGX carried it nowhere. Every document that prints a status has it on its node, in
    the knowledge-source table, and on every edge it is the primary knowledge source of; no other edge says one."""
    graph = built.graph
    infores = {row["infores"]: row for row in csv.DictReader(
        (kgx_dir / "vexas-kg_infores.tsv").open(encoding="utf-8"), delimiter="\t")}
    statuses = {str(d): "; ".join(sorted(str(s) for s in graph.objects(d, VX.editorialStatus)))
                for d in graph.subjects(RDF.type, VX.Document)}
    assert sum(1 for s in statuses.values() if s) >= 2
    by_iri = {n["iri"]: n for n in nodes}
    for document, status in statuses.items():
        if status:
            assert status in by_iri[document]["description"]
    for curie, row in infores.items():
        assert row["editorial_status"] == statuses.get(row["iri"], "")
    checked = 0
    for edge in edges:
        status = infores[edge["primary_knowledge_source"]]["editorial_status"]
        if status:
            assert status in edge["description"], edge["id"]
            checked += 1
        else:
            assert "description" not in edge
    assert checked >= 10
