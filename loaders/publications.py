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


def citation_label(title: str, journal: str, year: str, status: str = "") -> str:
    """A publication's display label: its title followed by the journal and year it lacks, so that a
    title such as "VEXAS syndrome" (a review in Int J Hematol) never reads as the disease it is named
    after, in a trail, an export or a citation warning ("the entry identifies VEXAS syndrome (Int J
    Hematol 2025)"). A year the table marks as inferred says so. The bare title stays in dcterms:title."""
    venue = " ".join(part for part in (journal, year) if part and part not in title)
    if year and year in venue and "year inferred" in status:
        venue += ", year inferred"
    if not title:
        return venue
    return f"{title} ({venue})" if venue else title


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
        triples.append((iri, RDFS.label, Literal(citation_label(row["title"], row["journal"], row["year"], row["status"]))))
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
