"""Paging of the pairwise queries: ``limit`` and ``offset`` select rows of the ordered answer.

A pairwise answer grows with the square of its blocks, so such a query declares the two paging
parameters; they are applied to the answer by the library (a LIMIT cannot be bound by any binding
style, and no value is written into the query text), and the query orders every row, so the pages
laid end to end are exactly the whole answer, on every engine and through the endpoint.
"""

from __future__ import annotations

import pytest

from vexas_kg.errors import QueryError, UsageError
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, RdflibEngine, named, page_of, prepare, run_named
from vexas_kg.model import PAGING
from vexas_kg.queries import catalog, growth_class, parse_query

PAGED_CASES = [
    ("comparisons", {}),
    ("comparisons", {"figure": "004:jaki-overall-response-6m"}),
    ("contrasts", {}),
    ("alternatives-after-failure", {"drug": "ruxolitinib"}),
]


def test_every_pairwise_query_is_paged() -> None:
    for name, query in catalog().items():
        if growth_class(query.growth) == "pairwise":
            assert query.paged, f"{name} is pairwise but declares no limit and offset"


@pytest.mark.parametrize(("name", "params"), PAGED_CASES)
def test_pages_laid_end_to_end_are_the_whole_answer(name: str, params: dict[str, str], oxigraph: OxigraphEngine,
                                                    labels: LabelIndex) -> None:
    whole = run_named(name, {**params, "limit": "all"}, oxigraph, labels)
    assert len(whole.rows) > 3, "the case must have several pages"
    size = max(1, len(whole.rows) // 3)
    pages = []
    for offset in range(0, len(whole.rows) + size, size):
        page = run_named(name, {**params, "limit": str(size), "offset": str(offset)}, oxigraph, labels)
        assert page.columns == whole.columns and len(page.rows) <= size
        pages.extend(page.rows)
    assert tuple(pages) == whole.rows
    assert run_named(name, {**params, "limit": str(size)}, oxigraph, labels).rows == whole.rows[:size]
    assert run_named(name, {**params, "offset": str(size), "limit": "all"}, oxigraph, labels).rows == whole.rows[size:]
    assert run_named(name, params, oxigraph, labels).rows == whole.rows[:100], "the default page is the first 100"


def test_a_page_is_the_same_on_rdflib(oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine,
                                      labels: LabelIndex) -> None:
    params = {"figure": "004:jaki-overall-response-6m", "limit": "2", "offset": "1"}
    assert run_named("comparisons", params, rdflib_engine, labels) == run_named("comparisons", params, oxigraph, labels)


def test_paging_values_are_never_bound_into_the_query(labels: LabelIndex) -> None:
    query = named("comparisons")
    params = {"outcome": "overall response", "limit": "5", "offset": "10"}
    assert set(prepare(query, params, labels)) == {"outcome"}
    assert page_of(query, params) == slice(10, 15)
    assert page_of(query, {}) == slice(0, 100), "without limit, the first page of 100 rows"
    assert page_of(query, {"limit": "all", "offset": "7"}) == slice(7, None)
    assert page_of(query, {"limit": " ALL "}) == slice(0, None)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("limit", "0", "limit='0' is not a positive whole number"),
    ("limit", "ten", "limit='ten' is not a positive whole number"),
    ("limit", "everything", "limit='everything' is not a positive whole number such as 100, or all"),
    ("offset", "-1", "offset='-1' is not a whole number of 0 or more"),
    ("offset", "1.5", "offset='1.5' is not a whole number of 0 or more"),
])
def test_a_bad_page_is_refused_naming_the_parameter(name: str, value: str, message: str, labels: LabelIndex) -> None:
    with pytest.raises(UsageError, match=message):
        prepare(named("contrasts"), {name: value}, labels)


def test_a_paging_parameter_must_have_its_type() -> None:
    text = ("#+ title: t\n#+ description: d\n#+ question: q\n#+ param: limit integer optional rows\n"
            "SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match="paging parameter 'limit'"):
        parse_query(text, "q")
    assert set(PAGING) == {"limit", "offset"}


def test_the_cli_says_how_to_read_on_after_a_full_page() -> None:
    from click.testing import CliRunner

    from vexas_kg.cli import main

    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    full = runner.invoke(main, ["query", "comparisons", "--param", "limit=2", "--param", "offset=3", "--format", "csv"])
    assert full.exit_code == 0, full.output
    assert len(full.stdout.splitlines()) == 3  # the header and two rows
    assert "note: rows 4-5 of the ordered answer; the next page: --param offset=5 --param limit=2" in full.stderr
    last = runner.invoke(main, ["query", "comparisons", "--param", "limit=1000", "--format", "csv"])
    assert last.exit_code == 0 and "next page" not in last.stderr
