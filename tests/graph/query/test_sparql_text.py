"""The SPARQL scanner behind the remote VALUES binding, and the read-only check on the parse."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from vexas_kg.errors import QueryError
from vexas_kg.graph.query.readonly import Refused, check_query
from vexas_kg.graph.query.sparql_text import bind_lists, where_group_start, with_values


@pytest.mark.parametrize("text, found", [
    ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("select * { service <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { SERVICE SILENT <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * {\n# comment\nSERVICE <http://x/> {}}", True),
    ("SELECT ?service WHERE { ?service <http://x/SERVICE> \"SERVICE\" }", False),
    ("PREFIX service: <http://x/> SELECT * { ?s service:SERVICE ?o } # SERVICE", False),
    ("SELECT * { ?s ?p '''a\nSERVICE\nb''' }", False),
])
def test_service_is_refused_only_where_it_is_the_keyword(text: str, found: bool) -> None:
    if found:
        with pytest.raises(Refused, match="SERVICE"):
            check_query(text)
    else:
        assert check_query(text).form == "SELECT"


def test_load_and_updates_are_refused() -> None:
    for update in ("LOAD <http://x/data.ttl> INTO GRAPH <http://g>", "INSERT DATA { <http://a> <http://b> \"LOAD\" }"):
        with pytest.raises(Refused, match="read-only") as refused:
            check_query(update)
        assert refused.value.status == 403


def test_values_row_opens_the_where_group() -> None:
    query = "PREFIX ex: <http://e/>\nSELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ex:p ?o } GROUP BY ?s"
    bound = with_values(query, {"s": URIRef("http://e/a"), "o": Literal("x\"y", lang="en")})
    assert bound == ("PREFIX ex: <http://e/>\nSELECT ?s (COUNT(?o) AS ?n) WHERE { VALUES (?o ?s) "
                     "{ (\"x\\\"y\"@en <http://e/a>) }  ?s ex:p ?o } GROUP BY ?s")


def test_several_values_get_a_block_of_their_own() -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    bound = with_values(query, {"p": URIRef("http://e/p"), "s": (URIRef("http://e/a"), URIRef("http://e/b"))})
    assert bound == ("SELECT ?s WHERE { VALUES (?p) { (<http://e/p>) } VALUES ?s { <http://e/a> <http://e/b> }"
                     "  ?s ?p ?o }")
    with pytest.raises(QueryError, match="empty list of values"):
        with_values(query, {"s": ()})


def test_bind_lists_uses_values_only_for_a_parameter_with_several() -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    single = {"s": URIRef("http://e/a")}
    assert bind_lists(query, single) == (query, single)
    several = {"s": (URIRef("http://e/a"), URIRef("http://e/b")), "p": URIRef("http://e/p")}
    assert bind_lists(query, several) == (with_values(query, {"s": several["s"]}), {"p": URIRef("http://e/p")})


def test_values_binding_gives_the_same_rows_as_init_bindings() -> None:
    graph = Graph()
    for i in range(4):
        graph.add((URIRef(f"http://e/s{i}"), URIRef("http://e/p"), Literal(i, datatype=XSD.integer)))
    query = ("SELECT ?s ?v WHERE { ?s <http://e/p> ?v . "
             "FILTER EXISTS { ?s <http://e/p> ?w FILTER(?w >= ?min) } }")
    bindings = {"min": Literal(2, datatype=XSD.integer)}
    expected = sorted(graph.query(query, initBindings=bindings))
    assert sorted(r[:2] for r in graph.query(with_values(query, bindings))) == expected
    assert len(expected) == 2


def test_select_expressions_and_construct_templates_are_skipped() -> None:
    query = "SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?a ?b ?c }"
    assert query[where_group_start(query) - 1:].startswith("{ ?a ?b ?c }")
    construct = "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }"
    assert where_group_start(construct) == construct.rindex("{") + 1


def test_no_bindings_leaves_the_query_unchanged() -> None:
    assert with_values("SELECT * {}", {}) == "SELECT * {}"


def test_bad_bindings_are_query_errors() -> None:
    with pytest.raises(QueryError, match="blank node"):
        with_values("SELECT * { ?s ?p ?o }", {"s": BNode()})
    with pytest.raises(QueryError, match="not a variable name"):
        with_values("SELECT * { ?s ?p ?o }", {"s) } .": URIRef("http://e/a")})
    with pytest.raises(QueryError, match="WHERE group"):
        with_values("SELECT *", {"s": URIRef("http://e/a")})


_MINUS_DATA = """
@prefix ex: <http://e/> .
ex:c1 ex:in ex:d1 ; ex:cites ex:r1 , ex:r2 .
ex:c2 ex:in ex:d2 ; ex:cites ex:r1 .
ex:r1 ex:resolved true .
"""


@pytest.mark.parametrize("query, opened", [
    # The right side projects ?d, and the group holding the MINUS binds it: opened.
    ("PREFIX ex: <http://e/> SELECT ?c ?r WHERE { ?c ex:in ?d ; ex:cites ?r . "
     "MINUS { SELECT ?r ?d WHERE { ?x ex:in ?d ; ex:cites ?r . ?r ex:resolved true } } }", 2),
    # A plain MINUS group: which variables its solutions share is not explicit; left alone.
    ("PREFIX ex: <http://e/> SELECT ?c ?r WHERE { ?c ex:in ?d ; ex:cites ?r . "
     "MINUS { ?x ex:in ?d ; ex:cites ?r . ?r ex:resolved true } }", 1),
    # A right side that does not project ?d shares only ?r: never given ?d.
    ("PREFIX ex: <http://e/> SELECT ?c ?r WHERE { ?c ex:in ?d ; ex:cites ?r . "
     "MINUS { SELECT ?r WHERE { ?x ex:in ?d ; ex:cites ?r . ?r ex:resolved true } } }", 1),
    # An opened subquery's own OPTIONAL group is opened too.
    ("PREFIX ex: <http://e/> SELECT ?d ?r WHERE { { SELECT DISTINCT ?d ?r WHERE { ?c ex:in ?d . "
     "OPTIONAL { ?c ex:cites ?r . ?c ex:in ?d } } } }", 3),
    # Inside EXISTS nothing is opened.
    ("PREFIX ex: <http://e/> SELECT ?c WHERE { ?c ex:in ?d . "
     "FILTER NOT EXISTS { SELECT ?d WHERE { ?x ex:in ?d ; ex:cites ex:r2 } } }", 1),
])
def test_values_open_minus_subqueries_and_subquery_groups_without_changing_the_rows(query: str,
                                                                                    opened: int) -> None:
    """The VALUES block opens a ``MINUS { SELECT ... }`` that projects the bound variable (every
    solution on its left binds it), and the groups of a subquery it opens; the rows stay those of
    ``initBindings`` for every value."""
    graph = Graph().parse(data=_MINUS_DATA, format="turtle")
    for document in ("http://e/d1", "http://e/d2", "http://e/d3"):
        bindings = {"d": URIRef(document)}
        bound = with_values(query, bindings)
        assert bound.count("VALUES") == opened, bound
        expected = sorted(tuple(row) for row in graph.query(query, initBindings=bindings))
        assert sorted(tuple(row) for row in graph.query(bound)) == expected
