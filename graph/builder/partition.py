"""SHACL validation split into parts that can be checked apart, cached and run in parallel.

A part owns some focus nodes (the subjects one document asserts triples about; the shared
layer owns the rest) and holds every triple its owned nodes' results can depend on: all
triples of the nodes within ``reach`` steps of them (forwards along any predicate, backwards
along the predicates the shapes walk with ``sh:inversePath``), plus every triple of the
``base`` subjects (the vocabulary, whose subclass axioms and term schemes ``sh:class`` and
``skos:inScheme`` paths read). ``reach`` is the longest path of any shape (a path of length L
ends at a node whose type ``sh:class`` reads, so nodes up to L steps away are included whole).
Validating a part and keeping only the results about its owned nodes then gives exactly the
results the whole graph gives for them; the union over the parts is the whole-graph report
(tested on the shape case suite and on the synthetic corpus).

This holds only for shapes whose focus nodes come from their own triples (``sh:targetClass``,
``sh:targetSubjectsOf``, ``sh:targetNode``) and whose paths are finite (predicates, sequences,
inverses). ``reach_of`` returns None for anything else (``sh:targetObjectsOf``, SPARQL-based
constraints or targets, ``*``/``+``/``?`` and alternative paths); the build then validates the
whole graph at once.

A part's key is the hash of its content (each included subject's sorted N-Triples lines) and
of its owned nodes: equal keys mean equal input to pySHACL, so a cached result can stand in.
The planner works on the per-subject pieces of ``summary`` (subjects as N-Triples forms), so a
rebuild reads no triple of an unchanged part.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Container, Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from vexas_kg.graph.builder.assemble import graph_of
from vexas_kg.graph.builder.summary import DIGEST, TRIPLES, Detail, Head
from vexas_kg.graph.builder.validate import SH, Result, results_of, shapes_graph
from vexas_kg.graph.store.serialize import Triple

UNSUPPORTED = (SH.targetObjectsOf, SH.sparql, SH.target, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath,
               SH.alternativePath, SH.qualifiedValueShape)
NESTING = (SH.node, SH["not"], SH["or"], SH["and"], SH.xone, SH.property)


@dataclass(frozen=True)
class Reach:
    """How far a shape can look from its focus node."""

    steps: int
    inverse: frozenset[URIRef]


@lru_cache(maxsize=1)
def shapes_reach() -> Reach | None:
    """The reach of the shipped shapes (None if they cannot be validated part by part)."""
    return reach_of(shapes_graph())


def reach_of(shapes: Graph) -> Reach | None:
    """The longest path any shape walks, and the predicates walked backwards; None if unbounded."""
    if any((None, p, None) in shapes for p in UNSUPPORTED):
        return None
    inverse: set[URIRef] = set()

    def path_length(path: Node) -> int | None:
        if isinstance(path, URIRef):
            return 1
        if (path, RDF.first, None) in shapes:
            lengths = [path_length(item) for item in shapes.items(path)]
            return None if None in lengths else sum(lengths)  # type: ignore[arg-type]
        back = shapes.value(path, SH.inversePath)
        if isinstance(back, URIRef):
            inverse.add(back)
            return 1
        return None

    memo: dict[Node, int | None] = {}

    def depth(shape: Node, seen: frozenset[Node]) -> int | None:
        """Steps from a focus node that ``shape`` (and the shapes it nests) may take."""
        if shape in seen:
            return None  # a recursive shape: no bound
        if shape in memo:
            return memo[shape]
        own = 0
        path = shapes.value(shape, SH.path)
        if path is not None:
            own = path_length(path)
            if own is None:
                return None
        deepest = own
        for predicate in NESTING:
            for member in shapes.objects(shape, predicate):
                nested = list(shapes.items(member)) if (member, RDF.first, None) in shapes else [member]
                for inner in nested:
                    d = depth(inner, seen | {shape})
                    if d is None:
                        return None
                    # a value shape (sh:node, sh:not, ... of a property shape) starts at the path's end
                    deepest = max(deepest, own + d if predicate != SH.property else d)
        memo[shape] = deepest
        return deepest

    steps = 0
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)) \
            | set(shapes.subjects(SH.path, None)):
        d = depth(shape, frozenset())
        if d is None:
            return None
        steps = max(steps, d)
    return Reach(steps, frozenset(inverse))


@dataclass
class Part:
    """One independently validated piece: the subjects it holds, the focus nodes it reports on.

    Subjects are N-Triples forms (``<iri>``). ``expanded`` (the subjects whose links were followed)
    and ``outside`` (objects reached that were no subject) record what the closure depended on, so
    that a later build can tell whether the same part would come out again without walking it.
    """

    name: str
    owned: frozenset[str]
    subjects: frozenset[str]
    key: str = ""
    expanded: frozenset[str] = frozenset()
    outside: frozenset[str] = frozenset()


def walk(start: Iterable[str], steps: int, stop: Container[str], forward: Callable[[str], Iterable[str]],
         backwards: Mapping[str, Iterable[str]], is_subject: Callable[[str], bool]) -> tuple[set[str], set[str], set[str]]:
    """The subjects within ``steps`` of ``start`` (forwards, and backwards along the inverse predicates).

    Returns them, the subjects whose links were followed, and the objects reached that are no subject.
    """
    seen = {n for n in start if is_subject(n)}
    frontier = set(seen)
    expanded: set[str] = set()
    outside: set[str] = set()
    for _ in range(steps):
        reached: set[str] = set()
        for node in frontier:
            expanded.add(node)
            for o in forward(node):
                if o not in seen and o not in stop:
                    (reached if is_subject(o) else outside).add(o)
            reached.update(u for u in backwards.get(node, ()) if u not in seen and u not in stop)
        seen |= reached
        frontier = reached
        if not frontier:
            break
    return seen, expanded, outside


class Planner:
    """Cuts a graph given as per-subject heads and details (``summary.pieces_of``) into validation parts.

    ``base`` subjects (the vocabulary) are in every part; ``backwards`` maps each object to the
    subjects linking to it by a predicate the shapes walk backwards. A part of ``previous`` (the
    last build's plan) is taken over unchanged when it provably comes out the same: same owned
    nodes, no subject of it changed, no object it reached has become a subject and no
    backward link changed around it; otherwise its closure is walked again.
    """

    def __init__(self, pieces: Mapping[str, Head], detail: Callable[[str], Detail], base: Iterable[str],
                 backwards: Mapping[str, Iterable[str]], reach: Reach, salt: bytes = b"") -> None:
        self.pieces, self.detail, self.backwards, self.reach, self.salt = pieces, detail, backwards, reach, salt
        self.base = frozenset(s for s in base if s in pieces)
        digest = hashlib.sha256(b"base\0")
        for d in sorted(pieces[s][DIGEST] for s in self.base):
            digest.update(d)
        self.base_digest = digest.digest()
        self.walked = 0
        """How many parts had to be walked (not taken over from ``previous``)."""
        self.changed: set[str] | None = None
        """Subjects whose triples changed since the last plan (None: no last plan to compare with)."""
        self.moved: set[str] | None = None
        """Objects whose backward links changed since the last plan."""

    def compare(self, digests: Mapping[str, bytes], backwards: Mapping[str, set[str]]) -> None:
        """Note what changed since the graph the last plan was cut from (its ``digests`` and ``backwards``)."""
        changed = {s for s, head in self.pieces.items() if digests.get(s) != head[DIGEST]}
        changed.update(s for s in digests if s not in self.pieces)
        self.changed = changed
        self.moved = {o for o in set(backwards) | set(self.backwards) if backwards.get(o) != self.backwards.get(o)}

    def plan(self, groups: list[tuple[str, Iterable[str]]], previous: Mapping[str, Part] | None = None) -> list[Part]:
        """Parts for ``groups`` (name, subjects), in order, plus ``shared`` for every subject left over.

        A subject named by several groups is owned by the first; parts that own nothing are left out.
        ``previous`` are the last build's parts, cut from the graph given to ``compare``: a part is
        taken over when its owned nodes are the same, none of its subjects (nor the objects it
        reached that were no subject) changed, and no subject it expanded gained or lost a backward
        link; otherwise its closure is walked again.
        """
        claimed: set[str] = set()
        owned_by: list[tuple[str, frozenset[str]]] = []
        for name, subjects in groups:
            owned = frozenset(s for s in subjects if s in self.pieces and s not in claimed)
            claimed |= owned
            owned_by.append((name, owned))
        owned_by.append(("shared", frozenset(s for s in self.pieces if s not in claimed)))
        changed, moved = self.changed, self.moved
        if previous is None or changed is None or moved is None:
            previous = {}
        parts = []
        for name, owned in owned_by:
            if not owned:
                continue
            old = previous.get(name)
            same = (old is not None and old.owned == owned and old.subjects.isdisjoint(changed)
                    and old.outside.isdisjoint(changed) and old.expanded.isdisjoint(moved))
            parts.append(old if same else self.part(name, owned))  # type: ignore[arg-type]
        return parts

    def part(self, name: str, owned: frozenset[str]) -> Part:
        self.walked += 1
        seen, expanded, outside = walk(owned, self.reach.steps, self.base, self.forward, self.backwards,
                                       self.pieces.__contains__)
        subjects = frozenset(seen | self.base)
        return Part(name, owned, subjects, self.key(subjects, owned), frozenset(expanded), frozenset(outside))

    def key(self, subjects: frozenset[str], owned: frozenset[str]) -> str:
        """A hash of the part's content (each subject's lines, through its digest) and of its owned nodes."""
        digest = hashlib.sha256(self.salt + self.base_digest)
        for d in sorted(self.pieces[s][DIGEST] for s in subjects if s not in self.base):
            digest.update(d)
        digest.update(b"\0owned\0")
        for term in sorted(owned):
            digest.update(term.encode("utf-8") + b"\n")
        return digest.hexdigest()

    def forward(self, subject: str) -> list[str]:
        return [o.n3() for _, _, o in pickle.loads(self.detail(subject)[TRIPLES]) if not isinstance(o, Literal)]

    def triples(self, part: Part) -> list[Triple]:
        """The triples a part's validation reads."""
        return [t for s in sorted(part.subjects) for t in pickle.loads(self.detail(s)[TRIPLES])]


def focus_nodes(part: Part) -> frozenset[URIRef]:
    """The part's owned subjects as the IRIs pySHACL reports them by."""
    return frozenset(URIRef(s[1:-1]) for s in part.owned)


def validate_part(data: list[Triple], owned: Iterable[Node]) -> list[Result]:
    """Validate one part's triples; the results about its owned focus nodes, sorted."""
    from pyshacl import validate

    focus = {str(n) for n in owned}
    _, report, _ = validate(graph_of(data), shacl_graph=shapes_graph(), inference="none", advanced=False,
                            allow_warnings=False)
    return sorted(r for r in results_of(report) if r.focus in focus)


def validate_parts(jobs: list[tuple[list[Triple], frozenset[Node]]]) -> list[list[Result]]:
    """Validate several parts one after the other (the unit of work a worker process gets)."""
    return [validate_part(data, owned) for data, owned in jobs]
