"""Row growth of every named query on generated evidence (3 and 30 documents): what its header says.

Each query's ``#+ growth:`` header states how its answer grows with the evidence (fixed, linear or
pairwise); this test runs the benchmark's case of every query on two nested synthetic corpora
(``benchmarks/synthetic.py``; the 30 documents include the 3) and checks the row counts against
it. Only rows are checked here, never time: time is measured by ``benchmarks/scale.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, named, prepare
from vexas_kg.queries import catalog, growth_class

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from scale import query_cases  # noqa: E402

SMALL, LARGE = 3, 30  # the two corpora of the ``corpora`` fixture (conftest.py)
# Most rows the answer may have at 30 documents per row at 3 (10 times the documents): a fixed
# item's neighbourhood may gain a few reports, a linear answer grows about tenfold, a pairwise one
# about a hundredfold. The evidence itself grows a little faster than the documents between these
# two sizes: 22 of the 3 documents' 36 figures belong to a study arm, 263 of the 30 documents' 296
# (12x), so a linear answer about arm figures grows up to about 19x, a pairwise one up to 12x squared
# with its blocks (211x for comparisons); the bounds leave that room and still tell the classes apart.
# A growing answer of a handful of rows at 3 documents is a small sample (which kinds of document the
# three are decides it: 4 rows of JAK inhibitor figures), so it is measured against at least BASE rows.
BASE = {"fixed": 1, "linear": 5, "pairwise": 5}
ALLOWED = {"fixed": 2, "linear": 20, "pairwise": 250}


def rows(corpus: tuple[Build, OxigraphEngine, LabelIndex], name: str, params: dict[str, str]) -> int:
    _, engine, labels = corpus
    query = named(name)
    return len(engine.select(query.text, prepare(query, params, labels)).rows)


def test_the_generated_corpora_are_nested_and_sized(corpora) -> None:
    small, large = corpora[SMALL][0], corpora[LARGE][0]
    assert len(small.records) == SMALL and len(large.records) == LARGE
    for doc_id, triples in small.asserted.items():
        assert triples == large.asserted[doc_id], f"document {doc_id} differs between the corpora"


@pytest.mark.parametrize("name", sorted(catalog()))
def test_rows_grow_as_the_header_says(corpora, name: str) -> None:
    growth = named(name).growth
    assert growth, f"{name} has no '#+ growth:' header"
    kind = growth_class(growth)
    for query, params, _ in query_cases(corpora[SMALL][0], {name}):
        small, large = rows(corpora[SMALL], query, params), rows(corpora[LARGE], query, params)
        assert large > 0, f"{name} {params}: no rows on {LARGE} generated documents; the case tests nothing"
        assert large <= ALLOWED[kind] * max(small, BASE[kind]), (
            f"{name} {params}: {small} rows on {SMALL} documents, {large} on {LARGE}: more than {kind} "
            f"growth ({growth})"
        )


def test_every_growth_header_names_a_known_class() -> None:
    for name in catalog():
        growth = named(name).growth
        assert not growth or growth_class(growth) in ALLOWED, (name, growth)


def test_a_growth_header_must_name_its_class() -> None:
    from vexas_kg.errors import QueryError
    from vexas_kg.queries import parse_query

    text = "#+ title: t\n#+ description: d\n#+ question: q\n#+ growth: {}\nSELECT * WHERE {{ ?s ?p ?o }}\n"
    assert parse_query(text.format("pairwise: claims x figures"), "q").growth == "pairwise: claims x figures"
    with pytest.raises(QueryError, match="growth header starts with one of fixed, linear, pairwise"):
        parse_query(text.format("quadratic"), "q")
