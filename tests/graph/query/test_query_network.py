"""The in-process engines never follow SERVICE or LOAD: a loopback sentinel sees nothing."""

from __future__ import annotations

import pytest
from rdflib import Graph

from vexas_kg.errors import QueryError
from vexas_kg.graph.query.named import OxigraphEngine, RdflibEngine


@pytest.mark.parametrize("make", [RdflibEngine, OxigraphEngine.from_graph], ids=["rdflib", "oxigraph"])
@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ service <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "PREFIX : <{url}/> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    "SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "SELECT * WHERE {{ ?s ?p ?o }} # ok\nLOAD <{url}/data.ttl>",
])
def test_service_and_load_are_refused_before_any_request(make, template: str, sentinel) -> None:
    engine = make(Graph())
    with pytest.raises(QueryError, match="never reach the network|never loads a graph|does not parse"):
        engine.select(template.format(url=sentinel.url), {})
    assert sentinel.requests == []


def test_a_variable_named_service_is_allowed(sentinel) -> None:
    table = RdflibEngine(Graph()).select("SELECT ?service WHERE { BIND(1 AS ?service) }", {})
    assert table.columns == ("service",)
    assert sentinel.requests == []
