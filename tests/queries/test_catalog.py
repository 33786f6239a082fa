"""The query files themselves: headers, standard SPARQL 1.1 on both engines, the binding rules."""

from __future__ import annotations

import re
from importlib.resources import files

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from vexas_kg.errors import QueryError
from vexas_kg.graph.query.sparql_text import tokens
from vexas_kg.model import PAGING, parameter_types
from vexas_kg.queries import catalog, parse_query, read_query_text

RQ_FILES = sorted(p.name for p in files("vexas_kg.queries").iterdir() if p.name.endswith(".rq"))
NAMED = sorted(catalog())


def test_the_catalog_has_the_named_queries() -> None:
    assert NAMED == [
        "alternatives-after-failure", "citation-audit", "comparative-efficacy", "comparisons", "contrasts", "evidence-gaps",
        "evidence-overview", "provenance-trail", "safety-profile", "statements", "study-summary", "treatment-for-presentation",
    ]
    assert "_labels.rq" in RQ_FILES


@pytest.mark.parametrize("file_name", RQ_FILES)
def test_every_query_file_parses_on_rdflib_and_pyoxigraph(file_name: str) -> None:
    text = read_query_text(file_name)
    prepareQuery(text)
    assert isinstance(ox.Store().query(text), ox.QuerySolutions)


@pytest.mark.parametrize("name", NAMED)
def test_headers_are_complete(name: str) -> None:
    query = catalog()[name]
    assert query.title and query.description and query.question.endswith("?")
    for parameter in query.parameters:
        assert parameter.type in parameter_types()
        assert parameter.description
        if parameter.name in PAGING:
            continue  # applied to the answer, not a variable of the query
        assert re.search(rf"SELECT[^{{]*\?{parameter.name}\b", query.text), "a parameter must be projected"


@pytest.mark.parametrize("name", NAMED)
def test_no_query_tests_a_parameter_with_bound(name: str) -> None:
    """pyoxigraph folds BOUND() of a substituted variable to false; COALESCE is used instead."""
    query = catalog()[name]
    for parameter in query.parameters:
        assert not re.search(rf"BOUND\s*\(\s*\?{parameter.name}\s*\)", query.text)


@pytest.mark.parametrize("name", NAMED)
def test_every_row_carries_an_iri_to_trace(name: str) -> None:
    """Each named query projects at least one item, entity or document IRI column."""
    projected = re.search(r"SELECT(?: DISTINCT)?(.*?)WHERE", catalog()[name].text, re.S).group(1)
    assert re.search(r"\?(figure|claim|item|sideA|intervention|entity|node|study|evidence)\b", projected)


def test_a_header_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(QueryError, match="unknown header key 'summary'"):
        parse_query("#+ summary: x\nSELECT * WHERE { ?s ?p ?o }", "bad")


def test_a_parameter_that_is_not_a_variable_is_refused() -> None:
    text = "#+ title: t\n#+ description: d\n#+ question: q?\n#+ param: drug drug required d\nSELECT ?x WHERE { ?x ?p ?o }"
    with pytest.raises(QueryError, match="parameter 'drug' is not a variable"):
        parse_query(text, "bad")


def test_a_malformed_parameter_line_is_refused() -> None:
    text = "#+ title: t\n#+ description: d\n#+ question: q?\n#+ param: drug\nSELECT ?drug WHERE { ?drug ?p ?o }"
    with pytest.raises(QueryError, match="expected NAME TYPE MODE DESCRIPTION"):
        parse_query(text, "bad")


def test_a_named_query_needs_title_description_and_question() -> None:
    with pytest.raises(QueryError, match="lacks title, description, question"):
        parse_query("SELECT * WHERE { ?s ?p ?o }", "bare")
    assert parse_query("SELECT * WHERE { ?s ?p ?o }", "mine", strict=False).parameters == ()


def test_parameter_modes_and_quoted_defaults() -> None:
    text = ('#+ title: t\n#+ description: d\n#+ question: q?\n'
            '#+ param: a string default="two words" first\n#+ param: b integer optional second\n'
            '#+ param: c drug required third\nSELECT ?a ?b ?c WHERE { ?a ?b ?c }')
    a, b, c = parse_query(text, "modes").parameters
    assert (a.default, a.required, a.mode) == ("two words", False, "default two words")
    assert (b.default, b.required, b.mode) == (None, False, "optional")
    assert (c.default, c.required, c.mode) == (None, True, "required")


def _patterns_after_optional(text: str) -> list[int]:
    """Lines where a triple pattern follows an OPTIONAL in the same group."""
    toks = [t for t in tokens(text) if t.kind != "comment"]
    after_optional, opened_by, pending, previous, lines = [False], [], None, None, []
    for token in toks:
        if token.kind == "other" and token.text == "{":
            opened_by.append(pending)
            pending = None
            after_optional.append(False)
        elif token.kind == "other" and token.text == "}":
            after_optional.pop()
            if opened_by and opened_by.pop() == "OPTIONAL" and after_optional:
                after_optional[-1] = True
        elif token.kind == "word" and token.text.upper() in ("OPTIONAL", "MINUS", "FILTER", "EXISTS", "SELECT",
                                                              "WHERE", "UNION", "GRAPH", "SERVICE", "VALUES"):
            pending = token.text.upper()
        elif after_optional and after_optional[-1] and token.kind in ("var", "iri", "pname") \
                and previous is not None and previous.text in (".", "}", ")"):
            lines.append(text[:token.start].count("\n") + 1)
        previous = token
    return lines


@pytest.mark.parametrize("file_name", sorted(p.name for p in files("vexas_kg.queries").iterdir()
                                             if p.name.endswith(".rq")))
def test_required_patterns_come_before_the_optionals_of_their_group(file_name: str) -> None:
    """A triple pattern after an OPTIONAL starts a second pattern block, which pyoxigraph 0.5 joins
    after evaluating the OPTIONALs over the whole graph: the same-figure rows of one figure's trail
    took 0.3 s at 3,000 generated documents that way, 1 ms with the pattern first (docs/queries.md)."""
    text = files("vexas_kg.queries").joinpath(file_name).read_text(encoding="utf-8")
    assert _patterns_after_optional(text) == [], file_name
