"""SHACL validation with the shipped shapes, and a report a curator can read."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from vexas_kg.graph.builder.assemble import graph_of
from vexas_kg.model import Triple
from vexas_kg.graph.store.oxigraph import parse_turtle
from vexas_kg.ontology import iris, read_text

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True, order=True)
class Result:
    """One validation result, in the terms a curator needs."""

    focus: str
    path: str
    message: str
    value: str
    component: str
    severity: str


@dataclass
class Report:
    """The outcome of validating one or more inputs."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"checked: {name}" for name in self.checked]
        if self.conforms:
            lines.append("conforms: yes")
            return "\n".join(lines)
        lines.append(f"conforms: no ({len(self.results)} problems)")
        for r in self.results:
            value = f" (value: {r.value})" if r.value else ""
            lines.append(f"- {r.focus}\n    {r.path}: {r.message}{value}")
        return "\n".join(lines)


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@lru_cache(maxsize=1)
def authored_shapes() -> Graph:
    """The SHACL shapes exactly as written in ``ontology/shapes.ttl`` (parsed once per process)."""
    return parse_turtle(read_text("shapes.ttl"))


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The shapes as run: the authored shapes with their property shapes given their own targets."""
    return with_targeted_property_shapes(authored_shapes())


def with_targeted_property_shapes(shapes: Graph) -> Graph:
    """Move each targeted node shape's ``sh:property`` shapes to the top level, with its targets.

    SHACL gives a property shape of node shape S the focus nodes of S; stating S's targets on the
    property shape itself selects the same focus nodes and yields the same results (same focus
    node, path, component and ``sh:sourceShape``). pySHACL checks a nested property shape once per
    focus node but a targeted one once for all of them, several times faster. Deactivated node
    shapes keep their property shapes, so deactivation still covers them.
    """
    out = Graph()
    out += shapes
    for node_shape in set(out.subjects(RDF.type, SH.NodeShape)):
        targets = [(p, o) for p in TARGETS for o in out.objects(node_shape, p)]
        if not targets or (node_shape, SH.deactivated, None) in out:
            continue
        for prop in list(out.objects(node_shape, SH.property)):
            out.remove((node_shape, SH.property, prop))
            out.add((prop, RDF.type, SH.PropertyShape))
            for predicate, target in targets:
                out.add((prop, predicate, target))
    return out


def prepare_validation() -> None:
    """Import pySHACL and read the shapes: the validation worker does this while the records load."""
    importlib.import_module("pyshacl")  # its import is the cost to pay before the data arrives
    shapes_graph()


def validate_triples(triples: Iterable[Triple]) -> Report:
    """Validate a plain collection of triples (the build's), filling an rdflib graph for pySHACL."""
    return validate_graph(graph_of(triples))


def validate_graph(data: Graph) -> Report:
    """Validate ``data`` against the shapes (SHACL Core, no inference)."""
    from pyshacl import validate

    conforms, report_graph, _ = validate(
        data, shacl_graph=shapes_graph(), inference="none", advanced=False, allow_warnings=False
    )
    return Report(bool(conforms), sorted(results_of(report_graph)))


def results_of(report: Graph) -> list[Result]:
    """The results of a pySHACL report graph, in the terms of ``Result``."""
    out = []
    for node in (r for top in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(top, SH.result)):
        def one(prop):  # the first value as text, or ""
            value = report.value(node, prop)
            return "" if value is None else str(value)

        path = report.value(node, SH.resultPath)
        path_text = _path_text(report, path)
        out.append(Result(one(SH.focusNode), path_text, one(SH.resultMessage), one(SH.value),
                          one(SH.sourceConstraintComponent).rsplit("#", 1)[-1], one(SH.resultSeverity).rsplit("#", 1)[-1]))
    return out


def _path_text(report: Graph, path: object) -> str:
    if path is None:
        return ""
    items = list(report.items(path)) if (path, RDF.first, None) in report else None
    if items:
        return "/".join(_short(str(i)) for i in items)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_short(str(inverse))}"
    return _short(str(path))


def _short(iri: str) -> str:
    return iris.prefixed(iri) or iri
