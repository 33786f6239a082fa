"""The provenance trail: rows folded into a tree by parent, and every figure's trail reaching
its quote, its statement's citations and the reference entries they resolve to."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from vexas_kg.errors import UsageError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import OxigraphEngine
from vexas_kg.graph.query.trail import TrailNode, build_tree, render, trace
from vexas_kg.ontology.vocab import VX

COLUMNS = ("step", "order", "relation", "parent", "node", "label", "value", "unit", "when", "start", "end",
           "detail", "item")


def row(relation: str, parent: str | None, node: str, label: str, **cells: object) -> tuple:
    values = {"relation": Literal(relation), "parent": URIRef(parent) if parent else None, "node": URIRef(node),
              "label": Literal(label), **{k: Literal(v) for k, v in cells.items()}}
    return tuple(values.get(c) for c in COLUMNS)


@pytest.fixture(scope="module")
def engine(built: Build) -> OxigraphEngine:
    return OxigraphEngine.from_graph(built.graph)


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
                           " = 40 % at P6M (figure: overall response)")
    quote, statement, study = root.children
    assert quote.text().startswith('quote [') and "40% response rate at 6 months" in quote.text()
    assert quote.children[0].relation == "document"
    [marker] = statement.children
    assert marker.text().startswith("citation [1] (printed at ")
    [entry] = marker.children
    assert entry.text() == ("reference entry vxid:doc/000/reference/1: VEXAS syndrome. "
                            "(Research: International journal of hematology, 2025)")
    assert entry.children[0].text().endswith("; not a publication of the figure's study)")
    assert [c.relation for c in study.children] == ["arm", "study publication"]


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
                                        "infection risk with tocilizumab (UK cohort) = 47 %")


def test_trace_needs_an_item(engine: OxigraphEngine) -> None:
    with pytest.raises(UsageError, match="names a study, but item expects a figure, claim"):
        trace("study/uk-cohort", engine)
