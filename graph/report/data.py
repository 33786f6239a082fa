"""Everything the report shows, gathered from the named queries through one engine.

The report reads the graph only through the named queries (and the label index the
queries resolve names with), so a number on a page is the number a query returns, on
any engine: in-process or a remote endpoint. A query that this version of the catalog
does not have is skipped and its section says so, so the report picks up new queries
(``comparisons``, ``contrasts``, ``statements``) as they are added.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping, Union

from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier

from vexas_kg import model
from vexas_kg.errors import UsageError
from vexas_kg.graph.query.engine import Engine
from vexas_kg.graph.query.named import LabelIndex, run_query
from vexas_kg.queries import NamedQuery, catalog, read_query_text

Row = Mapping[str, Union[Identifier, None]]


def _nouns(kinds: tuple[model.Kind, ...]) -> dict[str, str]:
    """Class -> display noun for some kinds of the model (a page's kind is its noun)."""
    return {str(k.cls): k.noun for k in kinds}


@dataclass(frozen=True)
class Entity:
    """A resource a page is about: IRI, display label, kind."""

    iri: str
    label: str
    kind: str


@dataclass
class Evidence:
    """The answers of the named queries the report is built from."""

    queries: tuple[str, ...]
    """The named queries of the catalog this report ran (others were not available)."""
    graph_hash: str
    interventions: list[Entity]
    studies: list[Entity]
    documents: list[Entity]
    items: list[Entity]
    tables: dict[str, list[Row]] = field(default_factory=dict)
    """Whole-graph answers by query name (no parameters)."""
    by_intervention: dict[str, dict[str, list[Row]]] = field(default_factory=dict)
    """Per intervention IRI: query name -> rows for that intervention."""
    by_study: dict[str, list[Row]] = field(default_factory=dict)
    alternatives: dict[str, list[Row]] = field(default_factory=dict)
    """Per drug IRI: alternatives-after-failure rows (the drug as the one that failed)."""
    trails: dict[str, list[Row]] = field(default_factory=dict)
    subjects: list[Entity] = field(default_factory=list)
    """Diseases and genes (the disease basics), when the catalog has the ``statements`` query."""
    statements: dict[str, list[Row]] = field(default_factory=dict)
    """Per disease or gene IRI: the ``statements`` rows about it."""

    def has(self, query: str) -> bool:
        return query in self.queries


# Queries run once over the whole graph, when the catalog has them.
WHOLE_GRAPH = ("evidence-overview", "evidence-gaps", "comparative-efficacy", "comparisons", "citation-audit",
               "contrasts", "treatment-for-presentation")
# Queries run once per intervention, with the parameter that names it.
PER_INTERVENTION = {"comparative-efficacy": "intervention", "safety-profile": "intervention",
                    "statements": "about"}


class Cells(dict):
    """One result row keyed by column name; a column the query does not have reads as None.

    Templates read ``row.column``: when a query gains or loses a column the page shows
    what is there instead of failing, so the report follows the queries as they change.
    """

    def __getattr__(self, name: str) -> Identifier | None:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name)


def rows(engine: Engine, query: NamedQuery, params: Mapping[str, str], labels: LabelIndex) -> list[Row]:
    """The rows of one named query as dicts keyed by column name: the whole answer of a paged query,
    because a report page shows every row the graph holds."""
    table = run_query(query, {**params, "limit": model.PAGE_ALL} if query.paged else params, engine, labels)
    return [Cells(zip(table.columns, row)) for row in table.rows]


def gather(engine: Engine, graph_hash: str) -> Evidence:
    """Run every named query the report needs on ``engine``."""
    available = catalog()
    labels = LabelIndex.from_engine(engine)
    entities = labels.entries

    def of_kind(kinds: Mapping[str, str]) -> list[Entity]:
        found = [Entity(iri, entry.label, next(kinds[k] for k in sorted(entry.kinds) if k in kinds))
                 for iri, entry in entities.items() if entry.kinds & set(kinds)]
        return sorted(found, key=lambda e: (e.kind, e.label.casefold(), e.iri))

    interventions = of_kind(_nouns(model.parameter_type("intervention").accepted()))
    studies = of_kind(_nouns((model.kind("study"),)))
    documents = sorted(of_kind(_nouns((model.kind("document"),))), key=lambda e: e.iri)
    items = sorted(of_kind(_nouns(model.traceable())), key=lambda e: e.iri)
    if not items:
        raise UsageError("the graph holds no figures or claims: is the data in another named graph (--graph)?")
    used = [name for name in WHOLE_GRAPH if name in available]
    evidence = Evidence((), graph_hash, interventions, studies, documents, items)
    for name in used:
        evidence.tables[name] = rows(engine, available[name], {}, labels)
    for entity in interventions:
        per = evidence.by_intervention.setdefault(entity.iri, {})
        for name, parameter in PER_INTERVENTION.items():
            if name in available and _accepts(available[name], parameter, entity.kind):
                per[name] = rows(engine, available[name], {parameter: entity.iri}, labels)
        if entity.kind == "drug" and "alternatives-after-failure" in available:
            evidence.alternatives[entity.iri] = rows(engine, available["alternatives-after-failure"],
                                                     {"drug": entity.iri}, labels)
    for study in studies:
        evidence.by_study[study.iri] = rows(engine, available["study-summary"], {"study": study.iri}, labels)
    if "statements" in available:
        evidence.subjects = of_kind(_nouns((model.kind("disease"), model.kind("gene"))))
        for subject in evidence.subjects:
            evidence.statements[subject.iri] = rows(engine, available["statements"], {"about": subject.iri}, labels)
    for item in items:
        evidence.trails[item.iri] = rows(engine, available["provenance-trail"], {"item": item.iri}, labels)
    ran = set(used) | {n for per in evidence.by_intervention.values() for n in per}
    ran |= {"study-summary", "provenance-trail"} | ({"statements"} if evidence.statements else set()) | ({"alternatives-after-failure"} if evidence.alternatives else set())
    evidence.queries = tuple(sorted(ran))
    return evidence


def _accepts(query: object, parameter: str, kind: str) -> bool:
    """Whether ``query`` has ``parameter`` and it takes an entity of ``kind`` (drug, drug class, procedure)."""
    for declared in getattr(query, "parameters", ()):
        if declared.name == parameter:
            accepted = model.parameter_type(declared.type).accepted()
            return not accepted or kind in {k.noun for k in accepted}
    return False


def graph_hash(graph: Graph) -> str:
    """The canonical hash of a graph (the one ``push`` verifies with): SHA-256 of its canonical N-Triples."""
    from vexas_kg.graph.remote.client import canonical_hash

    return canonical_hash(graph)


def remote_graph(engine: Engine) -> Graph:
    """Every triple of the remote store's default graph (or the ``--graph`` sent as default-graph-uri)."""
    table = engine.select(read_query_text("_triples.rq"), {})
    graph = Graph()
    for s, p, o in table.rows:
        if s is not None and p is not None and o is not None:
            graph.add((s, URIRef(str(p)), o))
    return graph


def short_hash(value: str) -> str:
    """The first 16 hex digits: enough to tell builds apart on a page."""
    return value[:16]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


__all__ = ["Entity", "Evidence", "Row", "gather", "graph_hash", "remote_graph", "Literal"]
