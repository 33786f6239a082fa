"""Answers a clinician can trust (issue 12, audit a3): treatment-for-presentation, statements and
safety-profile, each rule checked over every row of the real graph."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, run_named
from vexas_kg.ontology.vocab import VX, VXT

MEASURE_ROLES = ("initial therapy", "manifestation-specific measure")
PREVENTION_ROLE = "prevention: prevents it, not a treatment once present"


def rows_as_dicts(table: ResultTable) -> list[dict[str, object]]:
    return [dict(zip(table.columns, row)) for row in table.rows]


def presentation_rows(oxigraph: OxigraphEngine, labels: LabelIndex, **params: str) -> list[dict[str, object]]:
    return rows_as_dicts(run_named("treatment-for-presentation", params, oxigraph, labels))


def test_prevention_is_never_offered_as_a_measure_for_a_present_manifestation(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A patient presenting with herpes zoster, VTE or an infection is never offered the vaccine or
    the prophylaxis as the measure for it (audit a3 A31): every recommending claim's prevention
    link comes out as a prevention row, and no measure row rests on a prevention link."""
    graph = built.graph
    rows = presentation_rows(oxigraph, labels)
    prevention_rows = set()
    for row in rows:
        claim, matched = URIRef(str(row["claim"])), URIRef(str(row["matched"]))
        roles = {graph.value(l, VX.subjectRole) for l in graph.objects(claim, VX.hasSubjectLink)
                 if graph.value(l, VX.linkedSubject) == matched}
        if str(row["role"]) == "manifestation-specific measure":
            assert VXT.indication in roles, (str(claim), str(matched), row["treatment"])
        if str(row["role"]) == PREVENTION_ROLE:
            assert VXT.prevention in roles
            prevention_rows.add((claim, matched))
    expected = {(c, graph.value(l, VX.linkedSubject)) for c, l in graph.subject_objects(VX.hasSubjectLink)
                if graph.value(l, VX.subjectRole) == VXT.prevention and graph.value(c, VX.direction) == VXT.recommends}
    assert expected and expected == prevention_rows
    for manifestation, preventive in (("herpes zoster", "recombinant zoster vaccine"),
                                      ("venous thromboembolism", "thromboprophylaxis"),
                                      ("infection", "anti-infectious prophylaxis")):
        offered = {(str(r["treatment"]), str(r["role"])) for r in presentation_rows(oxigraph, labels, manifestation=manifestation)
                   if str(r["treatment"]) == preventive}
        assert offered == {(preventive, PREVENTION_ROLE)}, (manifestation, offered)
