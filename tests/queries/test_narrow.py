"""``#+ narrow:`` (queries/__init__.py): a query whose answer only takes some values of a variable
binds it to them first. The narrowed answer must be the whole answer, item by item."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from vexas_kg.errors import QueryError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.named import OxigraphEngine, RdflibEngine, named, prepare, run_query
from vexas_kg.graph.query.paging import call_of, narrowed, page_of
from vexas_kg.queries import catalog, parse_query
from vexas_kg.model import class_list

HEADER = "#+ title: t\n#+ description: d\n#+ question: q\n"


def _items(engine: OxigraphEngine) -> list[URIRef]:
    classes = " ".join(f"<{c}>" for c in class_list("traceable"))
    rows = engine.select(f"SELECT DISTINCT ?item WHERE {{ VALUES ?type {{ {classes} }} ?item a ?type }}", {}).rows
    return sorted(row[0] for row in rows)


def test_every_narrowed_query_answers_as_without_narrowing_for_every_item(oxigraph: OxigraphEngine,
                                                                          built: Build) -> None:
    """Every traceable item of the three sources: the trail with its documents bound first is the
    trail evaluated over the whole graph (pyoxigraph with VALUES blocks, and substitutions)."""
    narrowing = [query for query in catalog().values() if query.narrow is not None]
    assert [query.name for query in narrowing] == ["provenance-trail"]
    items = _items(oxigraph)
    assert len(items) >= 150
    substituting = OxigraphEngine(oxigraph.store, oxigraph.printed, binding="substitutions")
    for item in items:
        bindings = prepare(named("provenance-trail"), {"item": f"<{item}>"}, oxigraph)
        whole = oxigraph.select(named("provenance-trail").text, bindings)
        assert run_query(named("provenance-trail"), {"item": f"<{item}>"}, oxigraph).rows == whole.rows, item
        call = narrowed(call_of(named("provenance-trail"), bindings, page_of(named("provenance-trail"), {})),
                        lambda text, b: (lambda t: (t.columns, t.rows))(substituting.select(text, b)))
        assert substituting.select(call.text, call.bindings).rows == whole.rows, item


def test_a_narrowed_trail_is_the_same_on_rdflib(oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine) -> None:
    item = "004:jaki-overall-response-3m"
    assert run_query(named("provenance-trail"), {"item": item}, rdflib_engine).rows == \
        run_query(named("provenance-trail"), {"item": item}, oxigraph).rows


def test_an_item_with_no_document_narrows_to_nothing_rather_than_everything(oxigraph: OxigraphEngine) -> None:
    query = parse_query(HEADER + "#+ narrow: document _provenance-trail-documents.rq\n#+ param: item item required x\n"
                        "SELECT ?item ?document WHERE { ?item a ?t . OPTIONAL { ?x <urn:in> ?document } }", "q")
    call = call_of(query, {"item": URIRef("urn:vexas-kg:nothing")}, slice(0, None))
    bound = narrowed(call, lambda text, b: (lambda t: (t.columns, t.rows))(oxigraph.select(text, b)))
    assert bound.bindings["document"] == (URIRef("urn:vexas-kg:no-block"),)


@pytest.mark.parametrize(("line", "message"), [
    ("#+ narrow: document", "cannot read the narrow line"),
    ("#+ narrow: item _provenance-trail-documents.rq", "is a parameter"),
    ("#+ narrow: elsewhere _provenance-trail-documents.rq", "not a variable of the query"),
    ("#+ narrow: document _missing.rq", "not a packaged query file"),
])
def test_a_bad_narrow_line_is_refused(line: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(HEADER + line + "\n#+ param: item item required x\nSELECT ?item WHERE { ?item ?p ?document }", "q")
