"""Data tests for the role a claim gives a manifestation it names (issue 12, audit a3 A31): a risk the
advice prevents is never recorded as an indication, so no query can offer prophylaxis or a vaccine
as the measure for a patient who already has the manifestation."""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.ontology.vocab import VX, VXID, VXT

INTERVENTIONS = (VX.Drug, VX.DrugClass, VX.Procedure)
PREVENTIVE = re.compile(r"prophyla|vaccin|prevent", re.IGNORECASE)


def link_interventions(graph: Graph, claim: URIRef, link: URIRef) -> set[URIRef]:
    """What a link concerns: its vx:roleFor, else every intervention the claim names."""
    scoped = set(graph.objects(link, VX.roleFor))
    return scoped or {s for s in graph.objects(claim, VX.subject) if any((s, RDF.type, t) in graph for t in INTERVENTIONS)}


def names(graph: Graph, node: URIRef) -> list[str]:
    return [str(n) for n in (*graph.objects(node, RDFS.label), *graph.objects(node, SKOS.altLabel))]


def named_as_a_risk(quote: str, name: str) -> bool:
    """The quote names the manifestation as a risk: "VTE risk", "risk of venous thromboembolism"."""
    n = re.escape(name)
    return re.search(rf"\b{n}\s+risk\b|\brisk\s+of\s+(?:\w+\s+){{0,3}}{n}\b", quote, re.IGNORECASE) is not None


def test_a_prevented_risk_is_never_an_indication(built: Build) -> None:
    """Every indication link: neither a preventive intervention (a prophylaxis, a vaccine) nor a
    quote that names the manifestation as a risk ("given the high risk of venous thromboembolism");
    such advice gives the manifestation the role prevention."""
    graph = built.graph
    checked = 0
    for claim, link in graph.subject_objects(VX.hasSubjectLink):
        if graph.value(link, VX.subjectRole) != VXT.indication:
            continue
        manifestation = graph.value(link, VX.linkedSubject)
        quote = str(graph.value(claim, RDFS.label))
        preventive = [str(graph.value(i, RDFS.label)) for i in link_interventions(graph, claim, link)
                      if PREVENTIVE.search(str(graph.value(i, RDFS.label)))]
        assert not preventive, (str(claim), str(manifestation), preventive)
        assert not any(named_as_a_risk(quote, n) for n in names(graph, manifestation)), (str(claim), quote)
        checked += 1
    assert checked >= 15


def test_the_preventive_advice_of_the_sources_has_the_role_prevention(built: Build) -> None:
    """The listed instances: 000's zoster vaccine "before initiating tofacitinib", thromboprophylaxis
    in 000 and 001, 001's anti-infectious prophylaxis, and 001's "thrombotic risk require active
    management"."""
    graph = built.graph
    expected = {("doc/000/claim/zoster-vaccination", "phenotype/herpes-zoster"),
                ("doc/000/claim/pitfall-thromboprophylaxis", "phenotype/venous-thromboembolism"),
                ("doc/001/claim/thromboprophylaxis-recommended", "phenotype/venous-thromboembolism"),
                ("doc/001/claim/anti-infectious-prophylaxis-essential", "phenotype/infection"),
                ("doc/001/claim/pitfall-overlooked-hematologic-complications", "phenotype/venous-thromboembolism")}
    for claim, manifestation in expected:
        roles = {graph.value(l, VX.subjectRole) for l in graph.objects(VXID[claim], VX.hasSubjectLink)
                 if graph.value(l, VX.linkedSubject) == VXID[manifestation]}
        assert VXT.prevention in roles and VXT.indication not in roles, (claim, roles)
