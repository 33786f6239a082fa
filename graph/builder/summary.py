"""What the incremental build keeps of one source of triples: its output pieces and what the checks read.

A *source* is one record (its triples with references resolved) or the shared layer (vocabulary,
entities, publications). Its ``Summary`` holds, per subject it asserts triples about, the pieces of
the output that depend only on those triples (``Piece``: their N-Triples lines, Turtle block, hash,
vocabulary classes, and the triples themselves, pickled apart and read only when needed), and the
few facts the cross-document checks read: what it defines and references, the arm triples
(``check_arms_disjoint``), the entities it types and names (``identifier_usage``), the numbers of
its source text that no quote covers, and the links the shapes walk backwards (``partition``).
A subject that several sources talk about, or whose identifiers may be dropped, is re-assembled
from the pickled triples of each source by the same functions a full build uses.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

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

Piece = tuple[bytes, str, str, tuple[str, ...], int, bytes]
"""One subject's output: hash of its lines, its sorted N-Triples lines, its Turtle block, its vocabulary
classes, its number of triples, and its triples pickled (a plain tuple: 45k of them load fast)."""
DIGEST, LINES, BLOCK, CLASSES, COUNT, TRIPLES = range(6)


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
    pieces: dict[str, Piece] = field(default_factory=dict)
    """Per subject (its N-Triples form): its output pieces."""
    arms: list[Triple] = field(default_factory=list)
    entities: frozenset[URIRef] = frozenset()
    identified: frozenset[str] = frozenset()
    """Subjects with identifier triples (which the whole build's evidence decides to keep or drop)."""
    inverse: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per predicate walked backwards by the shapes, as object -> subjects (N-Triples forms)."""
    usage: tuple[bytes, frozenset[URIRef], frozenset[URIRef]] = (b"", frozenset(), frozenset())
    """For the entity set hashed first: the entities this source names, and names as evidence."""
    key: str = ""
    """The cache key it is stored under (a record's)."""
    publications: tuple[dict, str] = ({}, "")
    """The shared layer only: the publication table (key -> IRI) and its file name."""
    base: frozenset[str] = frozenset()
    """The shared layer only: the vocabulary's subjects (in every validation part)."""
    reach: Reach | None = None
    """The shared layer only: the shapes' reach (``partition.shapes_reach``; the code fingerprint keys it)."""

    def triples(self) -> set[Triple]:
        """Every triple of the source (unpickled: slow, for the rare re-computation only)."""
        return {t for piece in self.pieces.values() for t in pickle.loads(piece[TRIPLES])}

    def named(self, entities: frozenset[URIRef], entities_key: bytes) -> tuple[frozenset[URIRef], frozenset[URIRef], bool]:
        """The entities this source names and names as evidence; True if that had to be re-computed."""
        if self.usage[0] == entities_key:
            return self.usage[1], self.usage[2], False
        named, evidence = identifier_usage(self.triples(), set(entities))
        self.usage = (entities_key, frozenset(named), frozenset(evidence))
        return self.usage[1], self.usage[2], True


def summarise(doc_id: str, triples: set[Triple], inverse: frozenset[URIRef]) -> Summary:
    """The pieces and check facts of ``triples`` (one record's, resolved, or the shared layer's)."""
    return Summary(doc_id, pieces=pieces_of(triples), arms=sorted(t for t in triples if t[1] in ARM_PREDICATES),
                   entities=frozenset(entities_of(triples)),
                   identified=frozenset(s.n3() for s, p, _ in triples if p in IDENTIFIERS),
                   inverse=backward_links(triples, inverse))


def backward_links(triples: Iterable[Triple], inverse: frozenset[URIRef]) -> dict[str, tuple[str, ...]]:
    links: dict[str, list[str]] = {}
    for s, p, o in triples:
        if p in inverse and not isinstance(o, Literal):
            links.setdefault(o.n3(), []).append(s.n3())
    return {o: tuple(sorted(subjects)) for o, subjects in links.items()}


def pieces_of(triples: Iterable[Triple]) -> dict[str, Piece]:
    """Each subject's output pieces, written by the full build's own serialisers."""
    by_subject: dict[object, list[Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple[0], []).append(triple)
    lines = nt_lines(t for group in by_subject.values() for t in group)
    writer = TurtleWriter()
    namespace = str(VX._NS)
    out: dict[str, Piece] = {}
    for subject, group in by_subject.items():
        text = "".join(sorted(lines[t] for t in group))
        classes = tuple(sorted(str(o)[len(namespace):] for _, p, o in group
                               if p == RDF.type and str(o).startswith(namespace)))
        out[subject.n3()] = (hashlib.sha256(text.encode("utf-8")).digest(), text, writer.block(group), classes,
                             len(group), dumps(sorted(group)))
    return out


def merged_piece(subject: str, pieces: list[Piece], drop_identifiers: bool) -> Piece | None:
    """The piece of a subject from several sources' pieces (None if nothing of it is left)."""
    triples = {t for piece in pieces for t in pickle.loads(piece[TRIPLES])}
    if drop_identifiers:
        triples = {t for t in triples if t[1] not in IDENTIFIERS}
    if not triples:
        return None
    return pieces_of(triples)[subject]
