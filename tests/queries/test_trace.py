"""`vexas-kg trace` output for one figure of each kind of source, compared with golden files."""

from __future__ import annotations

import pytest

from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, RdflibEngine, run_named
from vexas_kg.graph.query.trail import render, trace

ITEMS = ["000:azacitidine-response-risk-ratio", "004:il6-overall-response-6m", "001:hsct-only-curative",
         "000:short-answer", "000:tocilizumab-infection", "001:prednisone-weight-based-dose", "004:baseline-crp",
         "004:baseline-prednisone-dose", "000:momelotinib-effective-case-reports", "000:discontinue-hemoglobin-drop",
         "000:baricitinib-overall-response-6m"]


@pytest.mark.parametrize("item", ITEMS)
def test_trace_matches_its_golden_file(item: str, oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine,
                                       golden) -> None:
    text = render(trace(item, oxigraph))
    assert text == render(trace(item, rdflib_engine))
    golden(f"trace--{item.replace(':', '-')}.txt", text)


def test_a_figures_trail_gives_its_comparability_verdicts_as_comparisons_does(oxigraph: OxigraphEngine,
                                                                              labels: LabelIndex) -> None:
    """Issue 12: the verdicts of `comparisons` for a figure are in its trail, pair by pair, with the reasons."""
    item = "004:jaki-overall-response-6m"
    root = trace(item, oxigraph, labels)
    heading = root.children[-1]
    assert heading.relation == "comparisons" and heading.text() == (
        "comparability with the other figures on overall response (query comparisons):")
    table = run_named("comparisons", {"figure": item}, oxigraph, labels)
    col = {name: i for i, name in enumerate(table.columns)}
    expected = []
    for row in table.rows:
        other = row[col["figureB"]] if str(row[col["figureA"]]) == root.node else row[col["figureA"]]
        expected.append((str(other), str(row[col["verdict"]]), str(row[col["studyCheck"]]),
                         str(row[col["definitionCheck"]]), str(row[col["timepointCheck"]]), str(row[col["basisCheck"]])))
    shown = [(pair.node, *(str(pair.cells[k]) for k in ("label", "studyCheck", "definitionCheck", "timepointCheck",
                                                          "basisCheck"))) for pair in heading.children]
    assert sorted(shown) == sorted(expected) and len(shown) == 9
    # The query lists the pairs figure by figure (its pages follow its blocks); the trail by verdict,
    # the comparable pair first.
    assert [verdict for _, verdict, *_ in shown] == sorted(verdict for _, verdict, *_ in shown)
    assert shown[0][1].startswith("comparable within one study")
    # The French registry's JAK inhibitors against its IL-6 inhibitors: same study, definition and timepoint.
    il6 = next(pair for pair in heading.children if pair.node.endswith("/doc/004/figure/il6-overall-response-6m"))
    assert il6.text().startswith(
        "004:il6-overall-response-6m (IL-6 inhibitors, 26% at P6M): comparable within one study; the source calls "
        "them similar; qualified by the study's own stated limitation: \"some patients received various targeted "
        "therapies, leading to possible bias in the comparison.\" — same study (French national VEXAS registry study of targeted therapies (ACR Convergence "
        "2023, abstract L03)); same response definition (same criteria); same timepoint (P6M); same population "
        "basis (treatment courses); the source calls these similar: \"It was quite surprising")
    uk = next(pair for pair in heading.children if pair.node.endswith("/doc/000/figure/baricitinib-overall-response-6m"))
    assert str(uk.cells["label"]) == "not comparable"
    assert "does not state its response definition" in str(uk.cells["definitionCheck"])
    assert "the missing response definition" in str(uk.cells["toMakeComparable"])


def test_only_figures_get_comparisons(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    for item in ("001:hsct-only-curative", "000:discontinue-hemoglobin-drop"):
        assert all(child.relation != "comparisons" for child in trace(item, oxigraph, labels).children)


def test_comparisons_in_the_json_trail(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    tree = trace("004:jaki-overall-response-6m", oxigraph, labels).as_json()
    heading = tree["children"][-1]
    assert heading["relation"] == "comparisons" and heading["label"] == "overall response"
    first = heading["children"][0]
    assert first["relation"] == "comparability"
    assert first["node"] == "https://w3id.org/vexas-kg/id/doc/004/figure/il6-overall-response-6m"
    assert first["label"].startswith("comparable within one study; the source calls them similar; qualified by the "
                                     "study's own stated limitation: \"some patients received various targeted")
    assert first["definitionCheck"] == "same response definition (same criteria)"
    assert first["timepointCheck"] == "same timepoint (P6M)" and first["value"] == "26" and first["unit"] == "%"
    assert "toMakeComparable" not in first
