"""Verified bibliographic facts (publications.tsv) -> publication nodes.

Only what the table states is written; an empty cell stays absent (unknown), and the
table's verification status travels with each publication.
"""

from __future__ import annotations

import csv
import io

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from vexas_kg.errors import Location, RecordError
from vexas_kg.model import Triple
from vexas_kg.ontology.iris import publication_iri
from vexas_kg.ontology.vocab import BIBO, VX

COLUMNS = ["key", "first_author", "title", "journal", "year", "volume_pages", "doi", "pmid", "status", "note"]


NOT_VERIFIED = "not verified"


def load_publications(tsv: str, file: str) -> tuple[dict[str, URIRef], list[Triple]]:
    """Return the publication IRIs by key and their triples."""
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t")
    if reader.fieldnames != COLUMNS:
        raise RecordError(f"expected columns {COLUMNS}, found {reader.fieldnames}", Location(file, 1))
    index: dict[str, URIRef] = {}
    triples: list[Triple] = []
    for line, row in enumerate(reader, start=2):
        key = row["key"]
        if key in index:
            raise RecordError(f"duplicate publication key {key!r}", Location(file, line, "key"))
        iri = publication_iri(key)
        index[key] = iri
        triples.append((iri, RDF.type, VX.Publication))
        label = row["title"] or f"{row['journal']} {row['year']}"
        triples.append((iri, RDFS.label, Literal(label)))
        optional = {
            "first_author": VX.firstAuthor, "title": DCTERMS.title, "journal": VX.container,
            "volume_pages": VX.volumePages, "doi": BIBO.doi, "pmid": BIBO.pmid,
            "status": VX.verificationStatus, "note": RDFS.comment,
        }
        for column, prop in optional.items():
            # "not verified" in the author column marks an unknown author, not a name.
            if row[column] and not (column == "first_author" and row[column] == NOT_VERIFIED):
                triples.append((iri, prop, Literal(row[column])))
        if row["year"]:
            triples.append((iri, VX.year, Literal(row["year"], datatype=XSD.gYear)))
    return index, triples
