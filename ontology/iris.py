"""Every IRI of the graph minted and read through one ``curies.Converter``.

The converter is built from the ontology's prefixes (:data:`vexas_kg.ontology.PREFIXES`),
so an instance IRI is written ``vxid:<path>`` once, here, and every reader (Turtle
writer, result tables, validation reports, exports) shortens IRIs the same way. It
is built on first use: importing curies costs a third of a second that commands
which never mint an IRI should not pay.
"""

from __future__ import annotations

import re
from functools import cache

from rdflib import URIRef

from vexas_kg.ontology import PREFIXES

INSTANCE_PREFIX = "vxid"
TERM_PREFIX = "vxt"
_TURTLE_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@cache
def converter():  # -> curies.Converter (imported lazily, see the module docstring)
    """The project's converter: one prefix per namespace of :data:`PREFIXES`."""
    import curies

    return curies.Converter.from_prefix_map(PREFIXES)


def mint(prefix: str, local: str) -> URIRef:
    """The IRI of ``prefix:local`` (``prefix`` must be one of the ontology's prefixes)."""
    return URIRef(converter().expand(f"{prefix}:{local}", strict=True))


def instance(path: str) -> URIRef:
    """An instance IRI: ``vxid:<path>``."""
    return mint(INSTANCE_PREFIX, path)


def expand(curie: str) -> URIRef | None:
    """The IRI a prefixed name such as ``vxid:drug/x`` stands for, or None if its prefix is unknown."""
    iri = converter().expand(curie)
    return URIRef(iri) if iri is not None else None


def split(iri: str) -> tuple[str, str] | None:
    """``(prefix, local)`` of an IRI in one of the ontology's namespaces (local may be empty), else None."""
    curie = converter().compress(str(iri))
    if curie is None:
        return None
    prefix, _, local = curie.partition(":")
    return prefix, local


def prefixed(iri: str, *, turtle: bool = False, sep: str = ":") -> str | None:
    """``prefix:local`` for an IRI in a known namespace, else None.

    ``turtle`` accepts only locals that Turtle writes bare (letters, digits, ``_`` and
    ``-``, not starting with a digit); ``sep`` joins prefix and local (``-`` makes a
    name usable in an IRI path).
    """
    parts = split(iri)
    if parts is None or (turtle and not _TURTLE_LOCAL.match(parts[1])):
        return None
    return f"{parts[0]}{sep}{parts[1]}"


def instance_path(iri: str) -> str | None:
    """The path of an instance IRI after ``vxid:`` (None for any other IRI)."""
    parts = split(iri)
    return parts[1] if parts is not None and parts[0] == INSTANCE_PREFIX else None


# ------------------------------------------------------------- minting

def doc_iri(doc_id: str) -> URIRef:
    """A source document."""
    return instance(f"doc/{doc_id}")


def item_iri(doc_id: str, segment: str, slug: str) -> URIRef:
    """Something a document prints: ``doc/<doc>/<segment>/<slug>``."""
    return instance(f"doc/{doc_id}/{segment}/{slug}")


def quote_iri(doc_id: str, start: int, end: int) -> URIRef:
    """A verbatim span of a document's text, by character offsets."""
    return instance(f"doc/{doc_id}/quote/{start}-{end}")


def study_iri(slug: str) -> URIRef:
    return instance(f"study/{slug}")


def study_part_iri(study: str, segment: str, slug: str) -> URIRef:
    """An arm or response definition of a study: ``study/<study>/<segment>/<slug>``."""
    return instance(f"study/{study}/{segment}/{slug}")


def publication_iri(key: str) -> URIRef:
    return instance(f"publication/{key}")


def entity_iri(segment: str, slug: str) -> URIRef:
    """A drug, class, procedure, disease, gene or phenotype: ``<segment>/<slug>``."""
    return instance(f"{segment}/{slug}")


def term(slug: str) -> URIRef:
    """A controlled term: ``vxt:<slug>``."""
    return mint(TERM_PREFIX, slug)


_DOC_ITEM = re.compile(r"^doc/(?P<doc>[a-z0-9]+)/(?P<segment>[a-z-]+)/(?P<slug>[^/]+)$")


def doc_item(iri: str) -> tuple[str, str, str] | None:
    """``(doc, segment, slug)`` of an IRI minted by :func:`item_iri`, else None."""
    path = instance_path(iri)
    match = _DOC_ITEM.match(path) if path is not None else None
    return (match["doc"], match["segment"], match["slug"]) if match else None
