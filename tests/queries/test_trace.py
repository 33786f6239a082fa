"""`vexas-kg trace` output for one figure of each kind of source, compared with golden files."""

from __future__ import annotations

import pytest

from vexas_kg.graph.query.named import OxigraphEngine, RdflibEngine
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
