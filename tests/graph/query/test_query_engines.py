"""The two in-process engines: same terms for the same query, printed numbers kept, errors mapped."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from vexas_kg.errors import QueryError, UsageError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.named import OxigraphEngine, RdflibEngine, engine_for, portable, printed_forms
from vexas_kg.graph.store.oxigraph import load_store
from vexas_kg.ontology.vocab import VX, VXID

RISK_RATIO = VXID["doc/000/figure/azacitidine-response-risk-ratio"]
CI = f"""PREFIX vx: <https://w3id.org/vexas-kg/vocab#>
SELECT ?lower ?upper ?p WHERE {{ <{RISK_RATIO}> vx:ciLower ?lower ; vx:ciUpper ?upper ; vx:pValue ?p }}"""


@pytest.fixture(scope="module")
def engines(built: Build) -> dict[str, object]:
    return {"rdflib": RdflibEngine(built.graph), "oxigraph": OxigraphEngine.from_graph(built.graph)}


def test_integer_subtypes_are_reported_as_integers() -> None:
    assert portable(Literal("110", datatype=XSD.nonNegativeInteger)) == Literal("110", datatype=XSD.integer)
    assert portable(Literal("3", datatype=XSD.positiveInteger)) == Literal("3", datatype=XSD.integer)
    assert portable(Literal("x", datatype=XSD.string)) == Literal("x")
    assert portable(Literal("5.20", datatype=XSD.decimal)) == Literal("5.20", datatype=XSD.decimal)
    assert portable(None) is None


@pytest.mark.parametrize("name", ["rdflib", "oxigraph"])
def test_printed_decimals_come_back_as_printed(name: str, engines: dict[str, object]) -> None:
    """The source prints "95% CI 1.18-5.20; p=0.018": 5.20 stays 5.20 on both engines."""
    table = engines[name].select(CI, {})
    assert table.rows == ((Literal("1.18", datatype=XSD.decimal), Literal("5.20", datatype=XSD.decimal),
                           Literal("0.018", datatype=XSD.decimal)),)


def test_a_bare_store_keeps_values_not_printed_forms(built: Build) -> None:
    """Without the printed forms pyoxigraph gives the canonical value, which is why from_graph keeps them."""
    table = OxigraphEngine(load_store(built.graph)).select(CI, {})
    assert table.rows[0][1] == Literal("5.2", datatype=XSD.decimal)


def test_a_canonical_form_shared_by_two_printed_forms_is_left_canonical() -> None:
    graph = Graph()
    graph.add((URIRef("urn:a"), VX.value, Literal("5.20", datatype=XSD.decimal)))
    graph.add((URIRef("urn:b"), VX.value, Literal("5.200", datatype=XSD.decimal)))
    graph.add((URIRef("urn:c"), VX.value, Literal("7.50", datatype=XSD.decimal)))
    graph.add((URIRef("urn:d"), VX.value, Literal("8", datatype=XSD.decimal)))
    assert printed_forms(graph) == {Literal("7.5", datatype=XSD.decimal): Literal("7.50", datatype=XSD.decimal)}


@pytest.mark.parametrize("name", ["rdflib", "oxigraph"])
@pytest.mark.parametrize(("query", "message"), [
    ("SELECT ?s WHERE { ?s ?p }", "the query"),
    ("ASK { ?s ?p ?o }", "only SELECT queries"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "only SELECT queries"),
])
def test_bad_or_non_select_queries_are_query_errors(name: str, query: str, message: str,
                                                    engines: dict[str, object]) -> None:
    with pytest.raises(QueryError, match=message) as caught:
        engines[name].select(query, {})
    assert caught.value.exit_code == 3


@pytest.mark.parametrize("name", ["rdflib", "oxigraph"])
def test_unbound_columns_are_none_and_columns_keep_their_order(name: str, engines: dict[str, object]) -> None:
    table = engines[name].select("SELECT ?b ?a WHERE { BIND (1 AS ?a) }", {})
    assert table.columns == ("b", "a")
    assert table.rows == ((None, Literal("1", datatype=XSD.integer)),)


def test_engine_for_knows_two_engines(built: Build) -> None:
    assert isinstance(engine_for(built.graph, "rdflib"), RdflibEngine)
    assert isinstance(engine_for(built.graph), OxigraphEngine)
    with pytest.raises(UsageError, match="unknown engine 'jena'"):
        engine_for(built.graph, "jena")
