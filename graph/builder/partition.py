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
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from vexas_kg.graph.builder.assemble import graph_of
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
    """One independently validated piece: the subjects it holds, the focus nodes it reports on."""

    name: str
    owned: frozenset[Node]
    subjects: frozenset[Node]
    key: str = ""


class Index:
    """The graph's triples by subject, with each subject's N-Triples lines and digest (computed once)."""

    def __init__(self, lines: dict[Triple, str], inverse: frozenset[URIRef]) -> None:
        self.lines = lines
        self.by_subject: dict[Node, list[Triple]] = defaultdict(list)
        self.backwards: dict[Node, set[Node]] = defaultdict(set)
        for triple in lines:
            self.by_subject[triple[0]].append(triple)
            if triple[1] in inverse:
                self.backwards[triple[2]].add(triple[0])
        self._digest: dict[Node, bytes] = {}

    def digest(self, subject: Node) -> bytes:
        """A hash of the subject's triples (their sorted N-Triples lines)."""
        found = self._digest.get(subject)
        if found is None:
            rows = sorted(self.lines[t] for t in self.by_subject[subject])
            found = self._digest[subject] = hashlib.sha256("".join(rows).encode("utf-8")).digest()
        return found

    def closure(self, start: Iterable[Node], steps: int, stop: set[Node]) -> set[Node]:
        """The subjects within ``steps`` of ``start`` (forwards, and backwards along the inverse predicates)."""
        seen = {n for n in start if n in self.by_subject}
        frontier = set(seen)
        for _ in range(steps):
            reached: set[Node] = set()
            for node in frontier:
                for _, _, o in self.by_subject.get(node, ()):
                    if not isinstance(o, Literal) and o not in seen and o not in stop and o in self.by_subject:
                        reached.add(o)
                reached.update(u for u in self.backwards.get(node, ()) if u not in seen and u not in stop)
            seen |= reached
            frontier = reached
            if not frontier:
                break
        return seen

    def triples(self, subjects: Iterable[Node]) -> list[Triple]:
        return [t for s in subjects for t in self.by_subject.get(s, ())]


def plan(lines: dict[Triple, str], groups: list[tuple[str, set[Node]]], base: set[Node], reach: Reach,
         salt: bytes = b"") -> tuple[Index, list[Part]]:
    """Parts for ``groups`` (name, focus subjects), in order, plus one for every subject left over.

    ``lines`` maps every triple of the graph to its N-Triples line (``serialize.nt_lines``). A
    subject named by several groups is owned by the first; ``base`` subjects are in every part.
    """
    index = Index(lines, reach.inverse)
    base = {s for s in base if s in index.by_subject}
    owner: dict[Node, str] = {}
    parts: list[Part] = []
    for name, subjects in groups:
        owned = frozenset(s for s in subjects if s in index.by_subject and s not in owner)
        for s in owned:
            owner[s] = name
        parts.append(Part(name, owned, frozenset()))
    rest = frozenset(s for s in index.by_subject if s not in owner)
    parts.append(Part("shared", rest, frozenset()))
    for part in parts:
        reached = index.closure(part.owned, reach.steps, base) | base
        part.subjects = frozenset(reached)
        digest = hashlib.sha256(salt)
        for d in sorted(index.digest(s) for s in reached):
            digest.update(d)
        digest.update(b"\0owned\0")
        for iri in sorted(_nt_term(s) for s in part.owned):
            digest.update(iri.encode("utf-8") + b"\n")
        part.key = digest.hexdigest()
    return index, [p for p in parts if p.owned]


def _nt_term(node: Node) -> str:
    return node.n3() if not isinstance(node, BNode) else f"_:{node}"


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
