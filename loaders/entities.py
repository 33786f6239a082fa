"""Entity list (entities.yaml) + verified identifiers (identifiers.tsv) -> triples.

Identifiers are joined by the entity's label (or ``reference_name``); a row of the
identifier table that matches no entity is an error, so none is dropped silently,
and an entity with no row gets no identifier.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from vexas_kg import model
from vexas_kg.errors import Location, RecordError
from vexas_kg.loaders.evidence import Entity
from vexas_kg.loaders.fields import Fields
from vexas_kg.loaders.yaml_strict import Value
from vexas_kg.model import Triple
from vexas_kg.ontology.iris import entity_iri
from vexas_kg.ontology.vocab import VX

# CURIE prefix and IRI pattern per scheme of identifiers.tsv.
SCHEMES = {
    "MONDO": ("MONDO", "http://purl.obolibrary.org/obo/MONDO_{}"),
    "HPO": ("HP", "http://purl.obolibrary.org/obo/HP_{}"),
    "ChEBI": ("CHEBI", "http://purl.obolibrary.org/obo/CHEBI_{}"),
    "OMIM": ("OMIM", "https://omim.org/entry/{}"),
    "HGNC": ("HGNC", "https://identifiers.org/hgnc:{}"),
    "DrugBank": ("DRUGBANK", "https://go.drugbank.com/drugs/{}"),
    "ATC": ("ATC", "https://identifiers.org/atc:{}"),
    "Wikidata": ("WIKIDATA", "http://www.wikidata.org/entity/{}"),
}


@dataclass
class EntityTable:
    """The loaded entities: their index for the evidence loader and their triples."""

    index: dict[str, Entity] = field(default_factory=dict)
    triples: list[Triple] = field(default_factory=list)


def load_entities(record: Value, file: str, identifiers_tsv: str, identifiers_file: str) -> EntityTable:
    """Read the entity list, check its links, and attach verified identifiers."""
    table = EntityTable()
    top = Fields(record, file, "")
    names: dict[str, str] = {}
    links: list[tuple[URIRef, URIRef, str, Fields, str]] = []
    for entity_kind in model.entity_kinds():
        kind, cls = entity_kind.name, entity_kind.cls
        for f in top.items(entity_kind.section or ""):
            slug = f.slug("id") or ""
            if slug in table.index:
                raise f.error("id", f"duplicate entity id {slug!r}")
            iri = entity_iri(entity_kind.segment or kind, slug)
            label = f.text("label") or ""
            table.index[slug] = Entity(iri, kind, label)
            add = table.triples.append
            add((iri, RDF.type, cls))
            if kind == "drug-class":
                add((iri, RDF.type, SKOS.Concept))
                add((iri, SKOS.prefLabel, Literal(label)))
            add((iri, RDFS.label, Literal(label)))
            for alt in f.texts("alt_labels"):
                add((iri, SKOS.altLabel, Literal(alt)))
            definition = f.text("definition", required=False)
            if definition:
                add((iri, SKOS.definition, Literal(definition)))
            if kind in ("drug", "drug-class"):
                # Only a route the entity's own name states ("topical corticosteroids"): it blocks
                # what is said of the broader class from reaching this one.
                route = f.text("route", required=False)
                if route and route.lower() not in " ".join([label, *f.texts("alt_labels")]).lower().split():
                    raise f.error("route", f"{route!r} is not a word of the entity's name {label!r}")
                if route:
                    add((iri, VX.routeOfAdministration, Literal(route)))
            names[f.text("reference_name", required=False) or label] = slug
            for target in f.slugs("member_of"):
                links.append((iri, VX.memberOf, target, f, "member_of"))
            for target in f.slugs("broader"):
                links.append((iri, SKOS.broader, target, f, "broader"))
            gene = f.slug("gene", required=False)
            if gene:
                links.append((iri, VX.associatedGene, gene, f, "gene"))
            f.done()
    topic = top.slug("topic") or ""
    top.done()
    _topic(table, topic, top)
    expected = {VX.memberOf: "drug-class", SKOS.broader: "drug-class", VX.associatedGene: "gene"}
    for iri, prop, target, f, key in links:
        found = table.index.get(target)
        # A broader term is of the same kind: a class under a class, a manifestation under a manifestation.
        want = _kind_of(table, iri) if prop == SKOS.broader else expected[prop]
        if found is None or found.kind != want:
            raise f.error(key, f"{target!r} is not a known {want}")
        if found.iri == iri:
            raise f.error(key, f"{target!r} cannot be broader than itself")
        table.triples.append((iri, prop, found.iri))
    _identifiers(table, names, identifiers_tsv, identifiers_file)
    return table


def _topic(table: EntityTable, slug: str, top: Fields) -> None:
    """Mark the disease the evidence base is about (``topic``): declared once, so that a rule that needs it
    (citation-audit: a reference about it is never about "another disease") does not count it over every
    document, which made checking one document's citations cost the whole graph."""
    found = table.index.get(slug)
    if found is None or found.kind != "disease":
        raise top.error("topic", f"{slug!r} is not a known disease (the disease the evidence is about)")
    table.triples.append((found.iri, VX.isTopic, Literal(True)))


def _kind_of(table: EntityTable, iri: URIRef) -> str:
    return next(entity.kind for entity in table.index.values() if entity.iri == iri)


def _identifiers(table: EntityTable, names: dict[str, str], tsv: str, file: str) -> None:
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t")
    for line, row in enumerate(reader, start=2):
        slug = names.get(row["entity"])
        where = Location(file, line, "entity")
        if slug is None:
            raise RecordError(f"identifier row for {row['entity']!r} matches no entity label", where)
        scheme = SCHEMES.get(row["scheme"])
        if scheme is None:
            raise RecordError(f"unknown identifier scheme {row['scheme']!r}", Location(file, line, "scheme"))
        prefix, pattern = scheme
        local = row["id"].split(":", 1)[1] if ":" in row["id"] else row["id"]
        iri = table.index[slug].iri
        table.triples.append((iri, DCTERMS.identifier, Literal(f"{prefix}:{local}")))
        table.triples.append((iri, SKOS.exactMatch, URIRef(pattern.format(local))))
