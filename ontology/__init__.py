"""The vocabulary (OWL/RDFS + SKOS), SHACL shapes and JSON-LD context, shipped as package data."""

from __future__ import annotations

from importlib.resources import files

from vexas_kg.ontology.vocab import VX, VXID, VXT

PREFIXES: dict[str, str] = {
    "vx": str(VX._NS),
    "vxt": str(VXT._NS),
    "vxid": str(VXID),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "bibo": "http://purl.org/ontology/bibo/",
}


def read_text(name: str) -> str:
    """The text of a file shipped in this package (vexas.ttl, shapes.ttl, context.jsonld)."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


__all__ = ["PREFIXES", "VX", "VXID", "VXT", "read_text"]
