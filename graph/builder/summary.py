"""What the incremental build keeps of one source of triples: its output pieces and what the checks read.

A *source* is one record (its triples with references resolved) or the shared layer (vocabulary,
entities, publications). Its ``Summary`` holds, per subject it asserts triples about, a ``Head``
(hash of its N-Triples lines, vocabulary classes, number of triples), and the few facts the
cross-document checks read: what it defines and references, the arm triples
(``check_arms_disjoint``), the entities it types and names (``identifier_usage``), the numbers of
its source text that no quote covers, and the links the shapes walk backwards (``partition``).
Each subject's ``Detail`` (its N-Triples lines, Turtle block and pickled triples) is kept apart and
read only for what changed or must be validated. A subject that several sources talk about, or whose
identifiers may be dropped, is re-assembled from each source's details by the functions a full build uses.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from vexas_kg.graph.builder.cache import dumps
from vexas_kg.graph.builder.completeness import Uncovered
from vexas_kg.graph.builder.consistency import IDENTIFIERS, entities_of, identifier_usage
from vexas_kg.graph.store.serialize import TurtleWriter, nt_lines
from vexas_kg.loaders.evidence import Need
from vexas_kg.model import Triple
from vexas_kg.ontology.vocab import VX

if TYPE_CHECKING:
    from vexas_kg.graph.builder.partition import Reach

ARM_PREDICATES = frozenset({VX.memberOf, VX.hasArm, VX.intervention, VX.excludes,
                            URIRef("http://www.w3.org/2004/02/skos/core#broader")})
"""The predicates ``check_arms_disjoint`` reads (and nothing else)."""

Head = tuple[bytes, tuple[str, ...], int]
"""What every build reads of one subject: the hash of its N-Triples lines, its vocabulary classes and its
number of triples (plain tuples: 45k of them load fast)."""
DIGEST, CLASSES, COUNT = range(3)
Detail = tuple[str, str, bytes]
"""What a build reads of a subject only when it changed or must be validated: its sorted N-Triples lines,
its Turtle block and its triples (pickled apart, so that reading a source's details unpickles no term)."""
LINES, BLOCK, TRIPLES = range(3)


@dataclass
class Summary:
    """One source of triples, as the incremental build needs it (see the module's docstring)."""

    doc_id: str
    """The document id; "" for the shared layer."""
    provides: dict = field(default_factory=dict)
    needs: list[Need] = field(default_factory=list)
    references: dict = field(default_factory=dict)
    """Each (kind, key) the record's triples reference, and the IRI it resolved to."""
    uncovered: list[Uncovered] = field(default_factory=list)
    source: tuple[str, str] = ("", "")
    """The record's source file name and its SHA-256."""
    heads: dict[str, Head] = field(default_factory=dict)
    """Per subject (its N-Triples form): its head; the details are a cache entry of their own."""
    arms: list[Triple] = field(default_factory=list)
    entities: frozenset[URIRef] = frozenset()
    identified: frozenset[str] = frozenset()
    """Subjects with identifier triples (which the whole build's evidence decides to keep or drop)."""
    inverse: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per predicate walked backwards by the shapes, as object -> subjects (N-Triples forms)."""
    usage: tuple[bytes, frozenset[URIRef], frozenset[URIRef]] = (b"", frozenset(), frozenset())
    """For the entity set hashed first: the entities this source names, and names as evidence."""
    key: str = ""
    """The cache key it and its details are stored under."""
    record: str = ""
    """The record's file name (in ``records/``)."""
    publications: tuple[dict, str] = ({}, "")
    """The shared layer only: the publication table (key -> IRI) and its file name."""
    base: frozenset[str] = frozenset()
    """The shared layer only: the vocabulary's subjects (in every validation part)."""
    reach: Reach | None = None
    """The shared layer only: the shapes' reach (``partition.shapes_reach``; the code fingerprint keys it)."""

    def named(self, entities: frozenset[URIRef], entities_key: bytes,
              details: Callable[[], dict[str, Detail]]) -> tuple[frozenset[URIRef], frozenset[URIRef], bool]:
        """The entities this source names and names as evidence; True if that had to be re-computed."""
        if self.usage[0] == entities_key:
            return self.usage[1], self.usage[2], False
        triples = {t for detail in details().values() for t in pickle.loads(detail[TRIPLES])}
        named, evidence = identifier_usage(triples, set(entities))
        self.usage = (entities_key, frozenset(named), frozenset(evidence))
        return self.usage[1], self.usage[2], True


def summarise(doc_id: str, triples: set[Triple], inverse: frozenset[URIRef]) -> tuple[Summary, dict[str, Detail]]:
    """The check facts and per-subject heads and details of ``triples`` (one record's, resolved, or the shared layer's)."""
    heads, details = pieces_of(triples)
    return Summary(doc_id, heads=heads, arms=sorted(t for t in triples if t[1] in ARM_PREDICATES),
                   entities=frozenset(entities_of(triples)),
                   identified=frozenset(s.n3() for s, p, _ in triples if p in IDENTIFIERS),
                   inverse=backward_links(triples, inverse)), details


def backward_links(triples: Iterable[Triple], inverse: frozenset[URIRef]) -> dict[str, tuple[str, ...]]:
    links: dict[str, list[str]] = {}
    for s, p, o in triples:
        if p in inverse and not isinstance(o, Literal):
            links.setdefault(o.n3(), []).append(s.n3())
    return {o: tuple(sorted(subjects)) for o, subjects in links.items()}


def pieces_of(triples: Iterable[Triple]) -> tuple[dict[str, Head], dict[str, Detail]]:
    """Each subject's head and details, written by the full build's own serialisers."""
    by_subject: dict[object, list[Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple[0], []).append(triple)
    lines = nt_lines(t for group in by_subject.values() for t in group)
    writer = TurtleWriter()
    namespace = str(VX._NS)
    heads: dict[str, Head] = {}
    details: dict[str, Detail] = {}
    for subject, group in by_subject.items():
        text = "".join(sorted(lines[t] for t in group))
        classes = tuple(sorted(str(o)[len(namespace):] for _, p, o in group
                               if p == RDF.type and str(o).startswith(namespace)))
        key = subject.n3()
        heads[key] = (hashlib.sha256(text.encode("utf-8")).digest(), classes, len(group))
        details[key] = (text, writer.block(group), dumps(sorted(group)))
    return heads, details


def merged_piece(subject: str, details: list[Detail], drop_identifiers: bool) -> tuple[Head, Detail] | None:
    """A subject's head and details from several sources' details (None if nothing of it is left)."""
    triples = {t for detail in details for t in pickle.loads(detail[TRIPLES])}
    if drop_identifiers:
        triples = {t for t in triples if t[1] not in IDENTIFIERS}
    if not triples:
        return None
    heads, found = pieces_of(triples)
    return heads[subject], found[subject]
