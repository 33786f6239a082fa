"""Checks across records that no single record can make, run once every reference is resolved.

- **Arms of one study do not overlap.** When an arm receives a class that contains another arm's
  drug or class, the arm must say it excludes that one (the source's "TNF blockers and *other*
  targeted drugs"); otherwise the class-level figures of the arm would reach drugs that were in
  another arm. This is what keeps a figure from leaking to a drug its arm left out.
- **Identifiers only for evidence.** An entity that no evidence item names (only a reference
  title, or nothing) keeps its external identifiers out of the graph; an entity that nothing
  names at all is an error (remove it from entities.yaml).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from vexas_kg.errors import Location, RecordError
from vexas_kg.model import Triple
from vexas_kg.ontology.vocab import VX

ENTITY_TYPES = {VX.Drug, VX.DrugClass, VX.Procedure, VX.Disease, VX.Gene, VX.Phenotype}
NOT_EVIDENCE = {VX.about}
"""A reference entry's printed topic names an entity without being evidence about it."""


def ancestors(node: URIRef, parents: Mapping[URIRef, set[URIRef]]) -> set[URIRef]:
    """The node and every class above it (vx:memberOf, skos:broader), transitively."""
    seen, todo = {node}, [node]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def check_arms_disjoint(triples: Iterable[Triple], where: Mapping[URIRef, Location]) -> None:
    """Fail when an arm's class contains another arm's intervention that it does not exclude."""
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    arms_of: dict[URIRef, set[URIRef]] = defaultdict(set)
    includes: dict[URIRef, set[URIRef]] = defaultdict(set)
    excludes: dict[URIRef, set[URIRef]] = defaultdict(set)
    tables = {VX.memberOf: parents, SKOS.broader: parents, VX.hasArm: arms_of, VX.intervention: includes,
              VX.excludes: excludes}  # looked up by hash: one dict probe per triple
    for s, p, o in triples:
        table = tables.get(p)
        if table is not None:
            table[s].add(o)
    for study in sorted(arms_of):
        for arm in sorted(arms_of[study]):
            for other in sorted(arms_of[study] - {arm}):
                for x in sorted(includes[other]):
                    above = ancestors(x, parents)
                    inside = sorted(above & includes[arm])
                    if inside and not above & excludes[arm]:
                        raise RecordError(
                            f"arm {arm.rsplit('/', 1)[1]!r} receives {inside[0].rsplit('/', 1)[1]!r}, which contains "
                            f"{x.rsplit('/', 1)[1]!r} of arm {other.rsplit('/', 1)[1]!r}: list it under 'excludes' "
                            "(the arm's 'other' drugs leave it out), or the arm's figures would reach its drugs",
                            where.get(arm, Location("records")),
                        )


IDENTIFIERS = {DCTERMS.identifier, SKOS.exactMatch}
"""The predicates that carry an entity's external identifiers."""


def entities_of(triples: Iterable[Triple]) -> set[URIRef]:
    """The subjects typed as an entity (drug, class, procedure, disease, gene, phenotype)."""
    rdf_type = RDF.type
    return {s for s, p, o in triples if p == rdf_type and o in ENTITY_TYPES}


def identifier_usage(triples: Iterable[Triple], entities: set[URIRef]) -> tuple[set[URIRef], set[URIRef]]:
    """Of ``entities``: those named by anything else, and those named by evidence (not an entity, not a topic)."""
    rdf_type = RDF.type
    named_by_anything: set[URIRef] = set()
    evidence: set[URIRef] = set()
    for s, p, o in triples:
        if o in entities and s != o and p != rdf_type:
            named_by_anything.add(o)
            if s not in entities and p not in NOT_EVIDENCE:
                evidence.add(o)
    return named_by_anything, evidence


def require_named(entities: set[URIRef], named: set[URIRef]) -> None:
    """Fail on entities that nothing names (a table row no record uses)."""
    unused = sorted(entities - named)
    if unused:
        raise RecordError(f"entities named by no record and no other entity: {', '.join(str(e).rsplit('/', 1)[1] for e in unused)}; "
                          "remove them (and their identifier rows)", Location("entities.yaml"))


def evidence_only_identifiers(triples: set[Triple]) -> set[Triple]:
    """Drop identifiers of entities no evidence item names; fail on entities nothing names."""
    entities = entities_of(triples)
    named, evidence = identifier_usage(triples, entities)
    require_named(entities, named)
    return {t for t in triples if not (t[1] in IDENTIFIERS and t[0] not in evidence)}
