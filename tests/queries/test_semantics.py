"""What the queries mean, checked on the real graph and on small, explicit additions to it."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, RdflibEngine, run_named
from vexas_kg.ontology.vocab import VX, VXID, VXT

EXTRA = "https://example.org/test/"


def column(table: ResultTable, name: str) -> list:
    index = table.columns.index(name)
    return [row[index] for row in table.rows]


def rows_as_dicts(table: ResultTable) -> list[dict[str, object]]:
    return [dict(zip(table.columns, row)) for row in table.rows]


def with_second_study(built: Build, criteria: list[tuple[str, URIRef | None]]) -> Graph:
    """The graph plus one more study reporting partial response at 6 months for JAK inhibitors,
    under a partial-response definition with ``criteria`` (label, unit)."""
    graph = Graph()
    graph += built.graph
    study, arm, definition, figure = (URIRef(EXTRA + x) for x in ("study", "study/arm", "study/pr", "figure"))
    graph.add((study, RDF.type, VX.Study))
    graph.add((study, RDFS.label, Literal("second study")))
    graph.add((study, VX.studyDesign, VXT["cohort-study"]))
    graph.add((arm, RDFS.label, Literal("JAK inhibitors")))
    graph.add((arm, VX.intervention, VXID["drug-class/jak-inhibitor"]))
    graph.add((definition, RDF.type, VX.ResponseDefinition))
    graph.add((definition, RDFS.label, Literal("partial response (second study)")))
    for i, (label, unit) in enumerate(criteria):
        criterion = URIRef(f"{definition}/criterion/{i}")
        graph.add((definition, VX.hasCriterion, criterion))
        graph.add((criterion, RDFS.label, Literal(label)))
        if unit is not None:
            graph.add((criterion, VX.unit, unit))
    for p, o in ((RDF.type, VX.Figure), (VX.inDocument, VXID["doc/004"]), (VX.study, study), (VX.arm, arm),
                 (VX.measure, VXT["partial-response"]), (VX.statistic, VXT.proportion), (VX.unit, VXT.percent),
                 (VX.value, Literal("10", datatype=XSD.decimal)), (VX.timepoint, Literal("P6M", datatype=XSD.duration)),
                 (VX.responseDefinition, definition)):
        graph.add((figure, p, o))
    return graph


FRENCH_PR = [("clinical remission met", None), ("CRP reduction-by 50", VXT.percent),
             ("corticosteroids reduction-by 50", VXT.percent)]


def partial_response_verdicts(graph: Graph) -> dict[str, str]:
    table = run_named("comparative-efficacy", {"outcome": "partial response"}, OxigraphEngine.from_graph(graph))
    return {str(r["figure"]).rsplit("/", 1)[1]: str(r["comparability"]) for r in rows_as_dicts(table)}


def test_the_same_definition_in_two_studies_is_comparable(built: Build) -> None:
    verdicts = partial_response_verdicts(with_second_study(built, FRENCH_PR))
    assert verdicts == dict.fromkeys(["il6-partial-response-6m", "jaki-partial-response-6m", "figure"],
                                     "comparable: no other study reports this outcome under another definition")


@pytest.mark.parametrize("changed", [
    [("clinical remission met", None), ("CRP reduction-by 40", VXT.percent),
     ("corticosteroids reduction-by 50", VXT.percent)],
    [("clinical remission met", None), ("CRP reduction-by 50", VXT["mg-per-l"]),
     ("corticosteroids reduction-by 50", VXT.percent)],
    [("CRP reduction-by 50", VXT.percent), ("corticosteroids reduction-by 50", VXT.percent)],
])
def test_a_different_definition_makes_both_sides_not_comparable(built: Build, changed: list) -> None:
    verdicts = partial_response_verdicts(with_second_study(built, changed))
    flagged = "not directly comparable: another study defines this outcome differently or not at all"
    assert verdicts == {"il6-partial-response-6m": flagged, "jaki-partial-response-6m": flagged, "figure": flagged}


def test_figures_without_a_definition_are_flagged(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    table = run_named("comparative-efficacy", {"outcome": "overall response"}, oxigraph, labels)
    for row in rows_as_dicts(table):
        if "/doc/000/" in str(row["figure"]):
            assert str(row["comparability"]) == "not directly comparable: the response definition is not stated"
            assert row["definition"] is None
        else:
            assert str(row["comparability"]).startswith("not directly comparable: another study")


def test_a_class_figure_is_never_relabelled_as_the_drug(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    table = run_named("comparative-efficacy", {"intervention": "tofacitinib"}, oxigraph, labels)
    assert table.rows
    for row in rows_as_dicts(table):
        assert str(row["level"]) == "drug class"
        assert str(row["armIntervention"]) in ("JAK inhibitors", "targeted therapies")
        assert str(row["scope"]) == "class-level figure, not specific to the requested drug"


def test_a_class_includes_its_drugs(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    table = run_named("comparative-efficacy", {"intervention": "JAK inhibitors", "timepoint": "P6M",
                                               "outcome": "overall response"}, oxigraph, labels)
    assert [(str(r["armIntervention"]), str(r["scope"]), str(r["value"])) for r in rows_as_dicts(table)] == [
        ("baricitinib", "member of the requested class", "40"),
        ("JAK inhibitors", "as reported", "30"),
    ]


def test_the_citation_audit_lists_every_marker_without_an_entry(oxigraph: OxigraphEngine,
                                                                labels: LabelIndex) -> None:
    table = run_named("citation-audit", {}, oxigraph, labels)
    unresolved = [r for r in rows_as_dicts(table) if str(r["kind"]) == "marker without reference entry"]
    found = Counter((str(r["document"]).rsplit("/", 1)[1], int(r["cited"])) for r in unresolved)
    assert found == Counter({("000", 6): 5, ("000", 7): 3, ("000", 8): 2, ("001", 5): 5})
    assert {str(r["detail"]) for r in unresolved} == {"no entry 6 in a reference list of 5 entries",
                                                      "no entry 7 in a reference list of 5 entries",
                                                      "no entry 8 in a reference list of 5 entries",
                                                      "no entry 5 in a reference list of 4 entries"}


def test_the_citation_audit_finds_each_kind_of_mismatch(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    table = run_named("citation-audit", {}, oxigraph, labels)
    kinds = Counter(str(k) for k in column(table, "kind"))
    assert set(kinds) == {"marker without reference entry", "reference about another disease",
                          "reference about another drug", "figure attributed to a reference that is not its study",
                          "same statement, different references"}
    about = {(str(r["claim"]).rsplit("/", 1)[1], str(r["concerningLabel"])) for r in rows_as_dicts(table)
             if str(r["kind"]).startswith("reference about")}
    assert ("momelotinib-effective-case-reports", "Vogt-Koyanagi-Harada disease") in about
    assert ("ruxolitinib-favorable-responses", "tofacitinib") in about
    assert ("siltuximab-sustained-benefit", "CNS vasculitis") in about
    assert not any(label == "VEXAS syndrome" for _, label in about)
    restated = {(str(r["claim"]).rsplit("/", 1)[1], str(r["concerning"]).rsplit("/", 1)[1])
                for r in rows_as_dicts(table) if str(r["kind"]) == "same statement, different references"}
    assert ("ruxolitinib-favorable-responses", "ruxolitinib-mid-term-responses") in restated
    assert ("ruxolitinib-mid-term-responses", "ruxolitinib-favorable-responses") in restated


def test_another_document_reporting_the_same_figure_shows_in_the_trail(built: Build) -> None:
    graph = Graph()
    graph += built.graph
    original = VXID["doc/004/figure/jaki-overall-response-3m"]
    copy = VXID["doc/001/figure/jaki-overall-response-3m-again"]
    for p, o in built.graph.predicate_objects(original):
        graph.add((copy, p, VXID["doc/001"] if p == VX.inDocument else o))
    table = run_named("provenance-trail", {"item": "004:jaki-overall-response-3m"}, RdflibEngine(graph))
    same = [r for r in rows_as_dicts(table) if str(r["relation"]) == "same figure"]
    assert [(r["node"], str(r["value"])) for r in same] == [(copy, "24")]


def test_momelotinib_rests_on_case_reports_only(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    rows = {str(r["label"]): r for r in rows_as_dicts(run_named("evidence-gaps", {}, oxigraph, labels))}
    assert str(rows["momelotinib"]["gap"]) == "only case-report evidence, no outcome figure"
    assert str(rows["tofacitinib"]["gap"]) == "no outcome figure of its own, only class-level figures"
    assert "azacitidine" not in rows and "tocilizumab" not in rows


def test_alternatives_follow_the_algorithm_and_carry_the_class_caveat(oxigraph: OxigraphEngine,
                                                                      labels: LabelIndex) -> None:
    rows = rows_as_dicts(run_named("alternatives-after-failure", {"drug": "ruxolitinib"}, oxigraph, labels))
    steps = [(int(r["step"]), str(r["option"])) for r in rows
             if r["step"] is not None and "/doc/000/" in str(r["claim"])]
    assert list(dict.fromkeys(steps)) == [(1, "azacitidine"), (2, "tocilizumab"), (3, "JAK inhibitors"),
                                          (3, "momelotinib"), (3, "tofacitinib"),
                                          (4, "allogeneic hematopoietic stem cell transplantation")]
    caveats = {str(r["option"]): str(r["caveat"]).rsplit("/", 1)[1] for r in rows if r["caveat"] is not None}
    assert caveats == {"tofacitinib": "pitfall-class-effect", "momelotinib": "pitfall-class-effect",
                       "JAK inhibitors": "pitfall-class-effect"}


@pytest.mark.parametrize(("broader", "narrower"), [("fever", "recurrent fever"), ("anemia", "macrocytic anemia"),
                                                   ("anaemia", "macrocytic anemia")])
def test_a_broader_manifestation_includes_its_narrower_ones_and_says_so(
        broader: str, narrower: str, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """Issue 12, item 6: fever gave 0 rows and anemia 3, where recurrent fever and macrocytic anemia gave 14 and 13."""
    wide = rows_as_dicts(run_named("treatment-for-presentation", {"manifestation": broader}, oxigraph, labels))
    narrow = rows_as_dicts(run_named("treatment-for-presentation", {"manifestation": narrower}, oxigraph, labels))
    claims = {(row["claim"], row["treatment"]) for row in wide}
    assert {(row["claim"], row["treatment"]) for row in narrow} <= claims
    used = {str(row["matchedLabel"]): str(row["via"]) for row in wide}
    assert used[narrower].startswith("narrower term of ")
    assert all(row["via"] == Literal("") for row in narrow if row["matchedLabel"] == Literal(narrower))
