"""Canonical serialisation and atomic writing.

Outputs are sorted so that two builds are byte-identical and diffs are readable, and
every file is written to a temporary name beside its target and renamed into place,
so a failure never leaves a half-written file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph

from vexas_kg.ontology import PREFIXES


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes (and only those) for readable Turtle."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def to_ntriples(graph: Graph) -> str:
    """N-Triples with one triple a line, lines sorted (canonical for a graph without blank nodes)."""
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "".join(sorted(f"{line}\n" for line in lines if line.strip()))


def to_turtle(graph: Graph) -> str:
    """Turtle with subjects and predicates sorted (rdflib's longturtle), stable across runs."""
    bound = bind_prefixes(Graph())
    for triple in graph:
        bound.add(triple)
    return bound.serialize(format="longturtle")


def write_atomic(files: dict[Path, str | bytes]) -> None:
    """Write every file to a temporary sibling first, then rename them all into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            staged.append((temp, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content.encode("utf-8") if isinstance(content, str) else content)
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            if os.path.exists(temp):
                os.unlink(temp)
