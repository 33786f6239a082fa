"""Pages of the queries evaluated block by block (``#+ blocks:``), on 30 generated documents.

A page evaluated from its blocks must be exactly the slice of the whole answer, on every page,
and it must bind only the blocks it needs: that, not a time, is what makes a page's cost follow
the page (the times are in benchmarks/scale.py's report).
"""

from __future__ import annotations

import re

import pytest

from vexas_kg.graph.query.named import named, plan, run_named
from vexas_kg.graph.query.paging import evaluate
from vexas_kg.queries import catalog, read_query_text

BLOCKED = sorted(name for name, query in catalog().items() if query.blocks is not None)
CASES = {
    "comparisons": [{}, {"outcome": "overall response"}, {"figure": "@figure"}],
    "contrasts": [{}],
    "alternatives-after-failure": [{"drug": "ruxolitinib"}, {"drug": "tocilizumab"}],
}


def test_every_pairwise_query_is_evaluated_by_blocks() -> None:
    assert BLOCKED == sorted(CASES)


def _figure(corpus) -> str:
    from scale import fixed_figure

    return fixed_figure(corpus[0])


@pytest.mark.parametrize("name", BLOCKED)
def test_every_page_is_the_slice_of_the_whole_answer(corpora, name: str) -> None:
    corpus = corpora[30]
    _, engine, labels = corpus
    for params in CASES[name]:
        params = {k: (_figure(corpus) if v == "@figure" else v) for k, v in params.items()}
        whole = run_named(name, {**params, "limit": "all"}, engine, labels)
        assert len(whole.rows) > 10, f"{name} {params}: too few rows to page"
        first = run_named(name, params, engine, labels)
        assert first.rows == whole.rows[:100], f"{name} {params}: the default page is not the first 100 rows"
        size = max(1, len(whole.rows) // 7)
        for limit, offset in [(1, 0), (size, 0), (size, size), (size, 3 * size), (size, len(whole.rows) - 2),
                              (len(whole.rows) + 1, 0), (5, len(whole.rows) + 3)]:
            page = run_named(name, {**params, "limit": str(limit), "offset": str(offset)}, engine, labels)
            assert page.columns == whole.columns
            assert page.rows == whole.rows[offset:offset + limit], (name, params, limit, offset)


@pytest.mark.parametrize("name", BLOCKED)
def test_a_first_page_binds_only_the_blocks_it_needs(corpora, name: str) -> None:
    _, engine, labels = corpora[30]
    params = {k: v for k, v in CASES[name][0].items()}
    call = plan(named(name), {**params, "limit": "5"}, labels)
    variable = named(name).blocks[0]
    bound: list[int] = []
    listed: list[int] = []

    def select(text, bindings):
        table = engine.select(text, bindings)
        if variable in bindings:
            bound.append(len(bindings[variable]))
        else:
            listed.append(len(table.rows))
        return table.columns, table.rows

    columns, rows = evaluate(call, select)
    assert len(rows) == 5 and listed, name
    assert sum(bound) * 2 <= listed[0], f"{name}: a page of 5 rows bound {sum(bound)} of {listed[0]} blocks"


def test_the_contrasts_blocks_name_the_rules_of_contrasts() -> None:
    rule = re.compile(r'BIND \("([a-z] [a-z-]+)" AS \?rule\)')
    assert set(rule.findall(read_query_text("_contrasts-blocks.rq"))) == set(rule.findall(named("contrasts").text))


def test_a_figures_trail_stays_its_own_size_and_counts_what_it_does_not_list(corpora) -> None:
    """Issue 11: past LISTED pairs a trail lists the same-study and "called similar" pairs and counts the
    rest, naming the command that lists them: bounded, never a silent cut. The listed pairs are exactly
    the comparisons rows a reader must see, and the count is exactly the rest of comparisons' pairs."""
    from scale import fixed_figure

    from vexas_kg.graph.query.trail import LISTED, render, trace

    lines = {}
    for size, (build, engine, labels) in corpora.items():
        figure = fixed_figure(build)
        tree = trace(figure, engine, labels)
        lines[size] = len(render(tree).splitlines())
        whole = run_named("comparisons", {"figure": figure}, engine, labels)
        col = {name: i for i, name in enumerate(whole.columns)}
        pairs = len(whole.rows)
        heading = tree.children[-1]
        if pairs > LISTED:
            summary = heading.children[-1]
            text = summary.text()
            assert f"vexas-kg query comparisons --param figure={figure}" in text
            listed = heading.children[:-1]
            assert int(text.split()[0]) + len(listed) == pairs, text
            must = {(str(row[col["figureA"]]), str(row[col["figureB"]]), str(row[col["verdict"]])) for row in whole.rows
                    if str(row[col["studyCheck"]]).startswith("same study") or str(row[col["sourceSays"]] or "")}
            shown = {(*sorted((str(tree.node), str(node.node))), str(node.cells["label"])) for node in listed}
            assert shown == {(min(a, b), max(a, b), v) for a, b, v in must}, (shown, must)
    assert lines[30] <= lines[3] + 2, lines


def test_a_figures_pairs_are_counted_as_comparisons_forms_them(corpora) -> None:
    """The trail's count (``_figure-pairs.rq``) is, for every figure, the number of other figures the
    comparisons query pairs it with, and what it keeps includes every pair of its study."""
    from rdflib import URIRef

    from vexas_kg.ontology.vocab import VX

    for size, (build, engine, labels) in corpora.items():
        figures = sorted({str(s) for s, o in build.graph.subject_objects(predicate=VX.study)
                          if (s, None, VX.Figure) in build.graph})[:80]
        assert figures, size
        for figure in figures:
            found = engine.select(read_query_text("_figure-pairs.rq"), {"figure": URIRef(figure)})
            col = {name: i for i, name in enumerate(found.columns)}
            counted = int(found.rows[0][col["pairs"]]) if found.rows else 0
            kept = {str(row[col["kept"]]) for row in found.rows if row[col["kept"]] is not None}
            whole = run_named("comparisons", {"figure": f"<{figure}>"}, engine, labels)
            at = {name: i for i, name in enumerate(whole.columns)}
            others = {str(row[at["figureB"]]) if str(row[at["figureA"]]) == figure else str(row[at["figureA"]])
                      for row in whole.rows}
            same_study = {str(row[at["figureB"]]) if str(row[at["figureA"]]) == figure else str(row[at["figureA"]])
                          for row in whole.rows if str(row[at["studyCheck"]]).startswith("same study")}
            assert counted == len(others), (size, figure, counted, len(others))
            assert same_study <= kept <= others, (size, figure)
