"""The shipped SHACL shapes, case by case: each file under shapes/ holds a data graph and the report it must give.

The file format is described in shapes/README.md. Results are compared by structure (focus node, path, constraint
component, severity, owning shape), never by message text, so a curator-facing message can be reworded freely.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from vexas_kg.graph.builder.validate import authored_shapes, shapes_graph, with_targeted_property_shapes
from vexas_kg.ontology import read_text
from vexas_kg.ontology.vocab import VX, VXT

CASE_DIR = Path(__file__).parent / "shapes"
CASES = sorted(CASE_DIR.glob("*.trig"))
EXPECTED = URIRef("urn:vexas-kg:test:expected")

PathKey = object  # a structural path: an IRI, or a tagged tuple such as ("sequence", (p1, p2))
Key = tuple[Node, PathKey, URIRef, URIRef, URIRef]  # focus, path, component, severity, owning named shape

# rdflib's own TriG parser still uses its deprecated ConjunctiveGraph internally; nothing to fix on our side.
pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
    "ignore:Dataset.default_context is deprecated:DeprecationWarning",
)

_UNARY_PATHS = {
    SH.inversePath: "inverse",
    SH.zeroOrMorePath: "zeroOrMore",
    SH.oneOrMorePath: "oneOrMore",
    SH.zeroOrOnePath: "zeroOrOne",
}


def load_case(path: Path) -> tuple[Graph, Graph]:
    """Split a case file into its data graph (the default graph) and its expected report graph."""
    dataset = Dataset()
    dataset.parse(path, format="trig")
    names = {g.identifier for g in dataset.graphs()} - {DATASET_DEFAULT_GRAPH_ID}
    assert names == {EXPECTED}, f"{path.name}: expected exactly one named graph <{EXPECTED}>, found {sorted(names)}"
    data, expected = Graph(), Graph()
    for triple in dataset.graph(DATASET_DEFAULT_GRAPH_ID):
        data.add(triple)
    for triple in dataset.graph(EXPECTED):
        expected.add(triple)
    return data, expected


@cache
def run(path: Path, shapes: str = "run") -> tuple[Graph, bool, Graph, Graph]:
    """Validate one case's data with the shipped shapes (SHACL Core, no inference); cached per file.

    ``shapes="run"`` uses the shapes as the build runs them, ``"authored"`` as written in shapes.ttl.
    """
    data, expected = load_case(path)
    conforms, report, _ = validate(
        data, shacl_graph=shapes_graph() if shapes == "run" else authored_shapes(),
        inference="none", advanced=False, allow_warnings=False,
    )
    return data, bool(conforms), report, expected


def path_key(graph: Graph, node: Node | None) -> PathKey:
    """A SHACL property path as a comparable value: sequences become tuples, blank nodes disappear."""
    if node is None or isinstance(node, URIRef):
        return node
    if (node, RDF.first, None) in graph:
        return ("sequence", tuple(path_key(graph, item) for item in graph.items(node)))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", tuple(path_key(graph, item) for item in graph.items(alternatives)))
    for predicate, tag in _UNARY_PATHS.items():
        inner = graph.value(node, predicate)
        if inner is not None:
            return (tag, path_key(graph, inner))
    raise ValueError(f"not a SHACL path: {node!r}")


def owner(shape: Node) -> URIRef:
    """The named shape a constraint belongs to: a property shape's node shape, or the shape itself."""
    parent = authored_shapes().value(predicate=SH.property, object=shape)
    found = parent if parent is not None else shape
    assert isinstance(found, URIRef), f"anonymous shape without a named owner: {shape!r}"
    return found


def result_keys(report: Graph) -> set[Key]:
    """Every sh:result of the one sh:ValidationReport in ``report``, as comparable tuples."""
    keys = set()
    for node in report.objects(_report_node(report), SH.result):
        focus = report.value(node, SH.focusNode)
        assert not isinstance(focus, BNode), "cases must give every focus node an IRI, so results can be compared"
        keys.add((
            focus,
            path_key(report, report.value(node, SH.resultPath)),
            report.value(node, SH.sourceConstraintComponent),
            report.value(node, SH.resultSeverity),
            owner(report.value(node, SH.sourceShape)),
        ))
    return keys


def _report_node(report: Graph) -> Node:
    nodes = list(report.subjects(RDF.type, SH.ValidationReport))
    assert len(nodes) == 1, f"expected one sh:ValidationReport, found {len(nodes)}"
    return nodes[0]


def _conforms(report: Graph) -> bool:
    value = report.value(_report_node(report), SH.conforms)
    assert isinstance(value, Literal), "the expected report must state sh:conforms"
    return bool(value.toPython())


def test_cases_exist() -> None:
    assert len(CASES) >= 100
    assert all(p.stem.endswith(("-pass", "-fail")) for p in CASES), "case names end in -pass or -fail"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    _, conforms, report, expected = run(path)
    expected_conforms = _conforms(expected)
    expected_keys = result_keys(expected)
    assert path.stem.endswith("-pass") == expected_conforms, "the file name's -pass/-fail disagrees with sh:conforms"
    assert expected_conforms == (not expected_keys), "a conforming report has no results, a failing one has some"
    assert result_keys(report) == expected_keys
    assert conforms == expected_conforms


def _failing_sources() -> set[Node]:
    """The raw sh:sourceShape (property shape or node shape) of every result of every failing case."""
    fired = set()
    for path in CASES:
        if path.stem.endswith("-fail"):
            _, _, report, _ = run(path)
            fired.update(report.objects(None, SH.sourceShape))
    return fired


def _constraints() -> dict[Node, URIRef]:
    """Every constraint-bearing shape of shapes.ttl: property shapes, and node shapes with their own parameters."""
    shapes = authored_shapes()
    out: dict[Node, URIRef] = {}
    for node_shape in shapes.subjects(RDF.type, SH.NodeShape):
        for prop in shapes.objects(node_shape, SH.property):
            out[prop] = node_shape
        own = {p for p in shapes.predicates(node_shape) if p not in (RDF.type, SH.property, SH.message)
               and not str(p).startswith(str(SH.target))}
        if own:
            out[node_shape] = node_shape
    return out


def _reached_by_sh_node(fired: set[Node]) -> set[Node]:
    """Node shapes without targets are checked only through sh:node; they count once that constraint fires."""
    return {target for source in fired for target in authored_shapes().objects(source, SH.node)}


def test_every_shape_has_a_failing_case() -> None:
    """A new shape without a failing test case fails here."""
    fired = _failing_sources()
    fired_owners = {owner(s) for s in fired}
    reached = _reached_by_sh_node(fired)
    shapes = set(authored_shapes().subjects(RDF.type, SH.NodeShape))
    missing = sorted(str(s) for s in shapes if s not in fired_owners and s not in reached)
    assert not missing


def test_every_constraint_has_a_failing_case() -> None:
    """Each property shape (one message each) must fire in at least one failing case."""
    fired = _failing_sources()
    reached = _reached_by_sh_node(fired)
    shapes = authored_shapes()
    missing = sorted(
        f"{parent.fragment}: {shapes.value(shape, SH.message)}"
        for shape, parent in _constraints().items()
        if shape not in fired and parent not in reached
    )
    assert not missing


def focus_nodes(data: Graph, shape: URIRef) -> set[Node]:
    """The targets of a node shape in ``data`` (classes include their subclasses stated in the data)."""
    shapes = authored_shapes()
    nodes: set[Node] = set(shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):
            nodes.update(data.subjects(RDF.type, sub))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        nodes.update(data.subjects(prop, None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        nodes.update(data.objects(None, prop))
    return nodes


def test_every_shape_has_a_conforming_case() -> None:
    """Each targeted shape has a -pass case in which it has something to check (untargeted ones via sh:node)."""
    shapes = authored_shapes()
    passing = [run(path)[0] for path in CASES if path.stem.endswith("-pass")]
    checked = {shape for shape in shapes.subjects(RDF.type, SH.NodeShape)
               if any(focus_nodes(data, shape) for data in passing)}
    checked |= {t for s in checked for prop in shapes.objects(s, SH.property) for t in shapes.objects(prop, SH.node)}
    missing = sorted(str(s) for s in shapes.subjects(RDF.type, SH.NodeShape) if s not in checked)
    assert not missing


def test_shapes_name_only_defined_terms() -> None:
    """A mistyped vx:/vxt: term in shapes.ttl would make its constraint silently unable to fire."""
    used = {t for triple in authored_shapes() for t in triple
            if isinstance(t, URIRef) and str(t).startswith((str(VX._NS), str(VXT._NS)))}
    assert len(used) > 50
    assert sorted(t for t in used if t not in VX and t not in VXT) == []


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_targeted_property_shapes_mean_the_same(path: Path) -> None:
    """The shapes as run give exactly the results of the shapes as written, on every case."""
    _, conforms, report, _ = run(path)
    _, authored_conforms, authored_report, _ = run(path, "authored")
    assert (conforms, result_keys(report)) == (authored_conforms, result_keys(authored_report))


def test_cases_state_only_the_vocabularys_subclass_axioms() -> None:
    """A case may state rdfs:subClassOf triples only as the shipped vocabulary has them."""
    vocabulary = Graph().parse(data=read_text("vexas.ttl"), format="turtle")
    stated = {(s, o) for path in CASES for s, o in run(path)[0].subject_objects(RDFS.subClassOf)}
    assert len(stated) >= 7
    assert sorted(pair for pair in stated if (pair[0], RDFS.subClassOf, pair[1]) not in vocabulary) == []


def test_property_shapes_get_their_node_shapes_targets() -> None:
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:A , ex:B ; sh:targetSubjectsOf ex:q ;
            sh:property ex:P ; sh:closed false .
        ex:P sh:path ex:p ; sh:minCount 1 .
        ex:Off a sh:NodeShape ; sh:targetClass ex:A ; sh:deactivated true ; sh:property ex:Q .
        ex:Q sh:path ex:p ; sh:maxCount 1 .
        ex:Untargeted a sh:NodeShape ; sh:property ex:R .
        ex:R sh:path ex:p ; sh:maxCount 2 .
    """, format="turtle")
    ex = "https://example.org/"
    run_shapes = with_targeted_property_shapes(shapes)
    expected = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:A , ex:B ; sh:targetSubjectsOf ex:q ; sh:closed false .
        ex:P a sh:PropertyShape ; sh:targetClass ex:A , ex:B ; sh:targetSubjectsOf ex:q ;
            sh:path ex:p ; sh:minCount 1 .
        ex:Off a sh:NodeShape ; sh:targetClass ex:A ; sh:deactivated true ; sh:property ex:Q .
        ex:Q sh:path ex:p ; sh:maxCount 1 .
        ex:Untargeted a sh:NodeShape ; sh:property ex:R .
        ex:R sh:path ex:p ; sh:maxCount 2 .
    """, format="turtle")
    assert set(run_shapes) == set(expected)
    assert (URIRef(ex + "S"), SH.property, URIRef(ex + "P")) in shapes, "the authored graph is left as it was"


def test_path_key_is_structural() -> None:
    graph = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:a ex:p ( ex:x ex:y ) . ex:b ex:p ( ex:x ex:y ) . ex:c ex:p [ sh:inversePath ex:x ] .
    """, format="turtle")
    ex = "https://example.org/"
    a, b, c = (path_key(graph, graph.value(URIRef(ex + s), URIRef(ex + "p"))) for s in "abc")
    assert a == b == ("sequence", (URIRef(ex + "x"), URIRef(ex + "y")))
    assert c == ("inverse", URIRef(ex + "x"))
