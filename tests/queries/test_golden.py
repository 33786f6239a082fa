"""Every named query on the built graph: exactly the golden rows, on both engines and with all
three ways of binding parameters (rdflib initBindings, pyoxigraph substitutions, and a VALUES
block opening the WHERE group, as a remote endpoint gets them)."""

from __future__ import annotations

import re

import pytest

from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, RdflibEngine, named, prepare, run_named
from vexas_kg.graph.query.results import format_results
from vexas_kg.graph.query.sparql_text import with_values
from vexas_kg.model import PAGING
from vexas_kg.queries import catalog

CASES: list[tuple[str, dict[str, str | tuple[str, ...]]]] = [
    ("alternatives-after-failure", {"drug": "ruxolitinib"}),
    ("alternatives-after-failure", {"drug": "tocilizumab"}),
    ("citation-audit", {}),
    ("citation-audit", {"document": "001"}),
    ("comparative-efficacy", {}),
    ("comparative-efficacy", {"outcome": "overall response", "timepoint": "6 months"}),
    ("comparative-efficacy", {"intervention": "tofacitinib"}),
    ("comparative-efficacy", {"intervention": "JAK inhibitors"}),
    ("comparative-efficacy", {"intervention": "tocilizumab"}),
    ("comparative-efficacy", {"intervention": ("tocilizumab", "baricitinib"), "study": "study/uk-cohort"}),
    ("comparisons", {"outcome": "overall response"}),
    ("comparisons", {"figure": "004:jaki-overall-response-6m"}),
    ("comparisons", {}),
    ("contrasts", {}),
    ("evidence-gaps", {}),
    ("evidence-overview", {}),
    ("provenance-trail", {"item": "000:azacitidine-overall-response-6m"}),
    ("provenance-trail", {"item": "004:jaki-overall-response-3m"}),
    ("provenance-trail", {"item": "000:vte-risk"}),
    ("provenance-trail", {"item": "001:ruxolitinib-mid-term-responses"}),
    ("provenance-trail", {"item": "004:baseline-crp"}),
    ("provenance-trail", {"item": "000:momelotinib-effective-case-reports"}),
    ("provenance-trail", {"item": "000:discontinue-hemoglobin-drop"}),
    ("safety-profile", {"intervention": "tofacitinib"}),
    ("safety-profile", {"intervention": "tocilizumab"}),
    ("safety-profile", {"intervention": "ruxolitinib"}),
    ("statements", {"about": "allogeneic HSCT"}),
    ("statements", {"about": "UK cohort"}),
    ("statements", {"about": "JAK inhibitors"}),
    ("statements", {"about": "VEXAS syndrome", "kind": "prognostic statement"}),
    ("study-summary", {"study": "study/uk-cohort"}),
    ("study-summary", {"study": "study/french-registry-targeted-therapies"}),
    ("treatment-for-presentation", {}),
    ("treatment-for-presentation", {"manifestation": "episcleritis"}),
    ("treatment-for-presentation", {"manifestation": "macrocytic anemia"}),
    ("treatment-for-presentation", {"manifestation": ("episcleritis", "recurrent fever", "venous thromboembolism")}),
]


def case_id(name: str, params: dict[str, str | tuple[str, ...]]) -> str:
    """A file-name-safe id: the query name and its parameter values."""
    flat = [v for _, value in sorted(params.items()) for v in ((value,) if isinstance(value, str) else value)]
    values = "-".join(re.sub(r"[^a-z0-9]+", "-", v.lower()).strip("-") for v in flat)
    return f"{name}--{values}" if values else name


IDS = [case_id(name, params) for name, params in CASES]


def test_every_named_query_has_a_golden_case() -> None:
    assert {name for name, _ in CASES} == set(catalog())


def test_every_parameter_is_exercised() -> None:
    used = {(name, key) for name, params in CASES for key in params}
    # The paging parameters select rows of an answer tested here whole (tests/queries/test_paging.py).
    declared = {(name, p.name) for name, q in catalog().items() for p in q.parameters if p.name not in PAGING}
    assert declared <= used


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_rows_match_the_golden_file(name: str, params: dict[str, str], oxigraph: OxigraphEngine,
                                    labels: LabelIndex, golden) -> None:
    table = run_named(name, params, oxigraph, labels)
    assert table.rows, f"{name} {params} returned no rows"
    golden(f"{case_id(name, params)}.tsv", format_results(table, "tsv"))


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_rdflib_gives_the_same_rows(name: str, params: dict[str, str], oxigraph: OxigraphEngine,
                                    rdflib_engine: RdflibEngine, labels: LabelIndex) -> None:
    bindings = prepare(named(name), params, labels)
    assert rdflib_engine.select(named(name).text, bindings) == oxigraph.select(named(name).text, bindings)


@pytest.mark.parametrize(("name", "params"), [c for c in CASES if c[1]], ids=[i for i, c in zip(IDS, CASES) if c[1]])
def test_a_values_block_binds_like_substitutions(name: str, params: dict[str, str], oxigraph: OxigraphEngine,
                                                 labels: LabelIndex) -> None:
    """The binding contract: a parameter used only where a join equals a substitution."""
    query = named(name)
    bindings = prepare(query, params, labels)
    substituting = OxigraphEngine(oxigraph.store, oxigraph.printed, binding="substitutions")
    assert oxigraph.select(with_values(query.text, bindings), {}) == substituting.select(query.text, bindings)
    assert oxigraph.select(query.text, bindings) == substituting.select(query.text, bindings)
