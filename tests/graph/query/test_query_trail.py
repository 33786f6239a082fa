"""The provenance trail: rows folded into a tree by parent, and every figure's trail reaching
its quote, its statement's citations and the reference entries they resolve to."""

from __future__ import annotations

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from vexas_kg.errors import UsageError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, run_named
from vexas_kg.graph.query.trail import TrailNode, build_tree, render, trace, without_repeats
from vexas_kg.ontology.vocab import VX, VXID

COLUMNS = ("step", "order", "relation", "parent", "node", "label", "value", "unit", "when", "start", "end",
           "detail", "item")


def row(relation: str, parent: str | None, node: str, label: str, **cells: object) -> tuple:
    values = {"relation": Literal(relation), "parent": URIRef(parent) if parent else None, "node": URIRef(node),
              "label": Literal(label), **{k: Literal(v) for k, v in cells.items()}}
    return tuple(values.get(c) for c in COLUMNS)


@pytest.fixture(scope="module")
def engine(built: Build) -> OxigraphEngine:
    return OxigraphEngine.from_graph(built.graph)


@pytest.fixture(scope="module")
def labels(engine: OxigraphEngine) -> LabelIndex:
    return LabelIndex.from_engine(engine)


def test_rows_fold_into_a_tree_by_parent() -> None:
    table = ResultTable(COLUMNS, (
        row("item", None, "urn:f", "a figure", detail="figure: overall response"),
        row("quote", "urn:f", "urn:q", "24% with X", start="10", end="20"),
        row("document", "urn:q", "urn:d", "The document", detail="publisher, 2023-11-07, d.txt"),
        row("statement", "urn:f", "urn:c", "The whole sentence."),
        row("citation marker", "urn:c", "urn:m", "[6]", start="21", end="22", detail="no entry 6"),
    ))
    root = build_tree(table)
    assert [child.relation for child in root.children] == ["quote", "statement"]
    assert render(root) == (
        "<urn:f>: a figure (figure: overall response)\n"
        '  quote [10-20]: "24% with X"\n'
        "    document <urn:d>: The document (publisher, 2023-11-07, d.txt)\n"
        '  stated in <urn:c>: "The whole sentence."\n'
        "    citation [6] (printed at 21-22): no entry 6\n"
    )


def test_a_cycle_is_shown_once_and_not_followed() -> None:
    table = ResultTable(COLUMNS, (
        row("item", None, "urn:a", "a"),
        row("supports", "urn:a", "urn:b", "b"),
        row("supports", "urn:b", "urn:a", "a again"),
    ))
    root = build_tree(table)
    assert len(root.children[0].children) == 1 and root.children[0].children[0].children == []


def test_no_root_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="has no provenance trail"):
        build_tree(ResultTable(COLUMNS, ()))


def test_the_trail_of_a_figure_reaches_its_quote_and_cited_reference(engine: OxigraphEngine) -> None:
    root = trace("000:baricitinib-overall-response-6m", engine)
    assert root.text() == ("000:baricitinib-overall-response-6m: response rate at 6 months, baricitinib (UK cohort)"
                           " = 40% at P6M (figure: overall response)")
    quote, statement, study = (c for c in root.children if c.relation in ("quote", "statement", "study"))
    assert quote.text().startswith('quote [') and "40% response rate at 6 months" in quote.text()
    assert quote.children[0].relation == "document"
    [marker] = [c for c in statement.children if c.relation == "citation marker"]
    assert marker.text().startswith("citation [1] (printed at ")
    [entry] = [c for c in marker.children if c.relation == "reference entry"]
    assert entry.text() == ("reference entry vxid:doc/000/reference/1: VEXAS syndrome. "
                            "(Research: International journal of hematology, 2025)")
    assert entry.children[0].text().endswith("; not a publication of the figure's study)")
    assert [c.relation for c in study.children] == ["arm", "study publication", "note", "evidence level"]


def _walk(node: TrailNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def test_every_figure_trail_reaches_quotes_and_every_resolved_citation(built: Build, engine: OxigraphEngine,
                                                                      record_citations) -> None:
    """The expected reference entries come from the records' ``cites`` and reference lists, not the graph."""
    graph = built.graph
    figures = sorted(graph.subjects(RDF.type, VX.Figure))
    assert len(figures) >= 28 and {str(f) for f in figures} == set(record_citations.figure_entries)
    assert sum(map(len, record_citations.figure_entries.values())) >= 10, "the records cite entries from figures"
    for figure in figures:
        nodes = list(_walk(trace(f"<{figure}>", engine)))
        quotes = {str(q) for q in graph.objects(figure, VX.hasQuote)}
        assert quotes and quotes <= {n.node for n in nodes if n.relation == "quote"}, figure
        expected_entries = record_citations.figure_entries[str(figure)]
        assert expected_entries == {n.node for n in nodes if n.relation == "reference entry"}, figure
        assert any(n.relation == "study" for n in nodes), figure


def test_unresolved_markers_say_so(engine: OxigraphEngine) -> None:
    root = trace("000:vte-risk", engine)
    markers = [c.text() for c in root.children if c.relation == "citation marker"]
    assert markers == [
        "citation [7] (printed at 3044-3051): no entry 7: the reference list has 5 entries",
        "citation [6] (printed at 3044-3051): no entry 6: the reference list has 5 entries",
        "citation [1] (printed at 3044-3051): resolves to entry 1 of the reference list",
    ]


def test_an_adverse_event_trail_shows_its_frequency_figure(engine: OxigraphEngine) -> None:
    root = trace("000:tocilizumab-infection", engine)
    assert root.children[-1].text() == ("frequency 000:tocilizumab-infection-risk: "
                                        "infection risk with tocilizumab (UK cohort) = 47%")


def test_trace_needs_an_item(engine: OxigraphEngine) -> None:
    with pytest.raises(UsageError, match="names a study, but item expects a figure, claim"):
        trace("study/uk-cohort", engine)


# ---- Issue 12, item 4: complete trails (each failed on the old code)

def _lines(item: str, engine: OxigraphEngine) -> list[str]:
    return render(trace(item, engine)).splitlines()


def test_a_risk_ratio_trail_shows_its_interval_p_value_and_comparator(engine: OxigraphEngine) -> None:
    lines = [line.strip() for line in _lines("000:azacitidine-response-risk-ratio", engine)]
    assert "95% CI 1.18–5.20" in lines and "p = 0.018" in lines
    assert "compared with: other therapies" in lines


@pytest.mark.parametrize(("item", "spread"), [("004:baseline-crp", "IQR 19–57 mg/L"),
                                              ("004:baseline-prednisone-dose", "IQR 10–35 mg/day")])
def test_the_french_baseline_iqrs_appear(item: str, spread: str, engine: OxigraphEngine) -> None:
    assert spread in [line.strip() for line in _lines(item, engine)]


def test_counts_and_their_population_appear(engine: OxigraphEngine) -> None:
    assert "N = 5 (the five patients who continued therapy)" in [
        line.strip() for line in _lines("000:baricitinib-overall-response-6m", engine)]


def test_curator_notes_of_the_item_and_its_study_appear(engine: OxigraphEngine) -> None:
    text = render(trace("004:baseline-crp", engine))
    assert "curator's note: The spread is printed in parentheses without a name" in text
    study_note = render(trace("000:azacitidine-overall-response-6m", engine))
    assert "curator's note: The article names this study only as" in study_note
    assert "the link to Al-Hakim 2025 comes from the reference table" in study_note


def test_a_figure_trail_shows_its_response_definitions_criteria_and_arm_composition(engine: OxigraphEngine) -> None:
    lines = [line.strip() for line in _lines("004:jaki-overall-response-3m", engine)]
    assert any(line.startswith("response definition ") and "complete response (French registry study)" in line
               for line in lines)
    assert "criterion: CRP < 10 mg/L" in lines and "criterion: corticosteroids reduced by 50%" in lines
    assert "includes vxid:drug-class/jak-inhibitor: JAK inhibitors" in lines


def test_a_safety_rule_trail_shows_its_criteria_and_timing(engine: OxigraphEngine) -> None:
    lines = [line.strip() for line in _lines("000:contraindication-hemoglobin", engine)]
    assert "criterion: hemoglobin < 9 g/dL" in lines


def test_a_flagged_citation_carries_citation_audits_warning(engine: OxigraphEngine, labels: LabelIndex) -> None:
    """The momelotinib case reports are cited to a Vogt-Koyanagi-Harada guideline."""
    lines = _lines("000:momelotinib-effective-case-reports", engine)
    assert any("warning (citation-audit: reference about another disease): the reference is about "
               "Vogt-Koyanagi-Harada disease" in line for line in lines)


def test_every_citation_audit_finding_on_a_marker_shows_in_the_trail_of_its_statement(
        engine: OxigraphEngine, labels: LabelIndex) -> None:
    """Derived from citation-audit itself: every (statement, marker, kind) it reports is a warning row."""
    audit = run_named("citation-audit", {}, engine, labels)
    col = {c: i for i, c in enumerate(audit.columns)}
    expected: dict[str, set[tuple[str, str]]] = {}
    for row in audit.rows:
        if row[col["concerning"]] is not None and "figure attributed" in str(row[col["kind"]]):
            continue  # shown in that figure's own trail
        expected.setdefault(str(row[col["claim"]]), set()).add((str(row[col["marker"]]), str(row[col["kind"]])))
    assert expected
    for claim, found in expected.items():
        warnings = {(n.cells["parent"] and str(n.cells["parent"]), str(n.cells["label"]))
                    for n in _walk(trace(f"<{claim}>", engine, labels)) if n.relation == "citation warning"}
        assert found <= warnings, claim


def test_no_rendered_line_repeats_a_word_outside_verbatim_text(built: Build, engine: OxigraphEngine,
                                                               labels: LabelIndex) -> None:
    """The general rule behind "at at" and "ACR Convergence 2023 2023"."""
    items = sorted(set(built.graph.subjects(RDF.type, VX.Figure)) | set(built.graph.subjects(RDF.type, VX.SafetyRule)))
    for item in items:
        for node in _walk(trace(f"<{item}>", engine, labels)):
            composed = " ".join(text for text, verbatim in node.segments() if not verbatim)
            line = node.text()
            assert not re.search(r"\b(\w+) \1\b", without_repeats([(composed, False)])), line
            for text, verbatim in node.segments():
                if verbatim:
                    assert text in line, (text, line)
    assert "ACR Convergence 2023 2023" not in render(trace("004:baseline-crp", engine, labels))
    assert " at at " not in render(trace("004:baseline-crp", engine, labels))


def test_the_repeat_rule_keeps_verbatim_text() -> None:
    assert without_repeats([("at", False), (" at the start", True)]) == "at the start"
    assert without_repeats([("(ACR Convergence 2023 2023)", False)]) == "(ACR Convergence 2023)"
    assert without_repeats([("Guideline Guideline Directed", True)]) == "Guideline Guideline Directed"


def test_a_figures_printed_text_finds_it_or_lists_the_candidates(engine: OxigraphEngine, labels: LabelIndex) -> None:
    assert trace("91%", engine, labels).node == str(VXID["doc/000/figure/azacitidine-overall-response-6m"])
    assert trace("91 %", engine, labels).node == str(VXID["doc/000/figure/azacitidine-overall-response-6m"])
    with pytest.raises(UsageError, match=r"'26%' is printed in 2 figures: 004:il6-overall-response-6m .*; "
                                         r"004:jaki-complete-response-6m"):
        trace("26%", engine, labels)


def test_the_json_tree_has_the_text_lines(engine: OxigraphEngine) -> None:
    root = trace("000:azacitidine-response-risk-ratio", engine)
    tree = root.as_json()
    assert tree["text"] == root.text() and tree["value"] == "2.47"
    interval = next(c for c in tree["children"] if c["relation"] == "confidence interval")
    assert (interval["low"], interval["high"]) == ("1.18", "5.20")


def test_an_arm_trail_shows_what_it_excludes_and_the_study_its_evidence_level(engine: OxigraphEngine) -> None:
    lines = [line.strip() for line in _lines("004:tnf-and-other-overall-response-3m", engine)]
    assert "excludes vxid:drug-class/jak-inhibitor: JAK inhibitors" in lines
    assert lines.index("includes vxid:drug-class/tnf-blocker: TNF blockers") < lines.index(
        "excludes vxid:drug-class/jak-inhibitor: JAK inhibitors")
    assert any(line.startswith("evidence level: observational study (starting level by design: low;") for line in lines)
    assert any(line.startswith("limitation stated 004:limitation-retrospective-france") for line in lines)


def test_no_composed_cell_of_the_trail_query_repeats_a_word(built: Build, engine: OxigraphEngine,
                                                             labels: LabelIndex) -> None:
    """The rendering drops a repeated word, but the query's own cells (what `provenance-trail`,
    `trace --format json` and the endpoint return) must not compose one either (audit: the
    detail of hadjadj-acr-2023 read "Hadjadj J, ACR Convergence 2023 2023")."""
    graph = built.graph
    items = sorted(set(graph.subjects(RDF.type, VX.Figure)) | set(graph.subjects(RDF.type, VX.Claim))
                   | set(graph.subjects(RDF.type, VX.SafetyRule)))
    checked = 0
    for item in items:
        table = run_named("provenance-trail", {"item": str(item)}, engine, labels)
        detail = table.columns.index("detail")
        for cells in table.rows:
            if cells[detail] is not None:
                assert not re.search(r"\b(\w+) \1\b", str(cells[detail])), (str(item), str(cells[detail]))
                checked += 1
    assert checked > 100


def test_a_claims_trail_shows_its_decision_points_and_the_roles_of_its_manifestations(
        built: Build, engine: OxigraphEngine, labels: LabelIndex) -> None:
    """A guideline author tracing advice sees the moment it is for (both of 001's azacitidine
    branches) and whether a manifestation is an indication or a risk (herpes zoster: prevention
    for the vaccine, caution for tofacitinib)."""
    graph = built.graph
    for claim in sorted(set(graph.subjects(VX.decisionPoint, None)) | set(graph.subjects(VX.hasSubjectLink, None))):
        if (claim, RDF.type, VX.Claim) not in graph:
            continue
        nodes = list(_walk(trace(f"<{claim}>", engine, labels)))
        points = {str(n.cells["label"]) for n in nodes if n.relation == "decision point"}
        assert {str(graph.value(p, RDFS.label)) for p in graph.objects(claim, VX.decisionPoint)} <= points, claim
        roles = sum(1 for n in nodes if n.relation == "subject role")
        assert roles >= len(set(graph.objects(claim, VX.hasSubjectLink))), claim
    text = render(trace("000:zoster-vaccination", engine, labels))
    assert "names herpes zoster: risk or caution, for tofacitinib" in text
    assert "names herpes zoster: prevention, for recombinant zoster vaccine" in text


def test_a_publication_not_fully_verified_shows_its_reference_table_status(built: Build, engine: OxigraphEngine) -> None:
    """Finding A22: "Al-Hakim A, The Lancet Rheumatology 2025" was printed without "year inferred".
    Wherever a trail prints a publication's bibliographic line, a status other than "verified" follows it."""
    g = built.graph
    statuses = {str(p): str(s) for p, s in g.subject_objects(VX.verificationStatus) if str(s) != "verified"}
    assert any("year inferred" in s for s in statuses.values())
    checked = 0
    for item in sorted(set(g.subjects(RDF.type, VX.Figure)) | set(g.subjects(RDF.type, VX.Claim))):
        for line in render(trace(str(item), engine)).splitlines():
            for publication, status in statuses.items():
                if f"vxid:publication/{publication.rsplit('/', 1)[-1]}:" in line:
                    checked += 1
                    assert f"reference table: {status}" in line, (str(item), line)
    assert checked > 20
