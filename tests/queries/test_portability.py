"""Every named query gives the same rows on another store: Apache Jena TDB2 (issue 11).

The named queries must run unchanged on external stores. Two in-process engines agreeing is
not enough: rdflib and Oxigraph write a computed decimal alike ("10"), Jena writes "10.0"
(XSD 1.0's canonical form), so a query that prints a computed number with STR() gives other
text there. Here the packaged graph is loaded into TDB2 and every query runs without
parameters and with each example ``vexas-kg queries`` prints, its parameters bound by a
VALUES block in the text (as any remote store receives them); rows are compared with
Oxigraph's in-process answer, numbers by value.

Needs Java and Debian's Jena (``bash scripts/setup-jena``, which ``.ci/run`` runs).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, named, prepare
from vexas_kg.graph.query.sparql_text import with_values
from vexas_kg.graph.store.serialize import to_ntriples
from vexas_kg.queries import catalog

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from external import CLASSPATH, Jena, rows_of  # noqa: E402

pytestmark = pytest.mark.skipif(not CLASSPATH.exists(), reason="Jena is not set up: bash scripts/setup-jena")

CASES = [(name, dict(example)) for name, query in sorted(catalog().items())
         for example in ((),) + query.examples
         if dict(example) or not any(p.required for p in query.parameters)]


@pytest.fixture(scope="module")
def tdb2(built: Build, tmp_path_factory: pytest.TempPathFactory) -> tuple[Jena, Path]:
    folder = tmp_path_factory.mktemp("tdb2")
    data = folder / "graph.nt"
    data.write_text(to_ntriples(built.triples), encoding="utf-8")
    jena = Jena()
    jena.load(folder / "db", data)
    return jena, folder / "db"


@pytest.fixture(scope="module")
def oxigraph(built: Build) -> tuple[OxigraphEngine, LabelIndex]:
    engine = OxigraphEngine.from_graph(built.graph)
    return engine, LabelIndex.from_engine(engine)


@pytest.mark.parametrize(("name", "params"), CASES,
                         ids=[f"{n}[{';'.join(f'{k}={v}' for k, v in p.items())}]" for n, p in CASES])
def test_jena_gives_the_same_rows(name: str, params: dict[str, str], tdb2: tuple[Jena, Path],
                                  oxigraph: tuple[OxigraphEngine, LabelIndex]) -> None:
    engine, labels = oxigraph
    query = named(name)
    bindings = prepare(query, params, labels)
    expected = rows_of(engine.select(query.text, bindings))
    jena, location = tdb2
    table, _, _ = jena.query(location, with_values(query.text, bindings), timeout=300)
    assert not isinstance(table, str), table
    got = rows_of(table)
    assert got == expected, _explain(expected, got)


def _explain(expected: Counter, got: Counter) -> str:
    missing, extra = list((expected - got).elements())[:2], list((got - expected).elements())[:2]
    return f"Jena differs from Oxigraph: missing {missing}; extra {extra}"
