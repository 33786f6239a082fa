"""The provenance trail of one item as a tree, for ``vexas-kg trace``.

The tree is the ``provenance-trail`` named query's answer folded by its ``parent``
column: every row is one node (a quote, a document, a citation marker, a reference
entry, a publication, a study ...) under the node it was reached from. Nothing here
queries the graph directly, so the trail is the same on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from rdflib.term import Identifier

from vexas_kg import model
from vexas_kg.errors import UsageError
from vexas_kg.graph.query.engine import Engine, ResultTable
from vexas_kg.graph.query.named import LabelIndex, run_named
from vexas_kg.graph.query.results import short_iri

QUERY = "provenance-trail"
_HEADS = {
    "item": "", "quote": "quote", "document": "document", "statement": "stated in",
    "citation marker": "citation", "reference entry": "reference entry", "publication": "publication",
    "study": "study", "arm": "arm", "study publication": "reported in", "same figure": "same figure",
    "same statement": "same statement", "supports": "supports", "disputes": "disputes",
    "supported by": "supported by", "disputed by": "disputed by", "frequency": "frequency",
}


@dataclass
class TrailNode:
    """One step of the trail: how it was reached, what it is, and what was reached from it."""

    relation: str
    node: str
    cells: Mapping[str, Identifier | None]
    children: list["TrailNode"] = field(default_factory=list)

    def text(self) -> str:
        """One readable line for this step."""
        cell = {k: ("" if v is None else " ".join(str(v).split())) for k, v in self.cells.items()}
        head = _HEADS.get(self.relation, self.relation)
        if self.relation == "citation marker":
            head = f"citation {cell['label']}"
        ident = short_iri(self.node)
        line = f"{head} {ident}".strip() if self.relation not in ("citation marker", "quote") else head
        if self.relation == "quote":
            line += f" [{cell['start']}-{cell['end']}]"
        elif self.relation == "citation marker":
            line += f" (printed at {cell['start']}-{cell['end']})"
        label = cell["label"]
        if self.relation in ("quote", "statement", "same statement") or (
                self.relation == "item" and cell["detail"].startswith("claim")):
            label = f'"{label}"'
        if self.relation != "citation marker" and label:
            line += f": {label}"
        if cell["value"]:
            line += f" = {cell['value']} {cell['unit']}".rstrip()
            if cell["when"]:
                line += f" at {cell['when']}"
        if cell["detail"]:
            line += f" ({cell['detail']})" if self.relation != "citation marker" else f": {cell['detail']}"
        return line


def build_tree(table: ResultTable) -> TrailNode:
    """Fold the query's rows into a tree rooted at the item (a row without a parent)."""
    columns = {name: i for i, name in enumerate(table.columns)}
    children: dict[str, list[TrailNode]] = {}
    root: TrailNode | None = None
    for row in table.rows:
        cells = {name: row[i] for name, i in columns.items()}
        node = TrailNode(str(cells["relation"]), str(cells["node"]), cells)
        if cells["parent"] is None:
            root = node
        else:
            children.setdefault(str(cells["parent"]), []).append(node)
    if root is None:
        raise UsageError(f"the item has no provenance trail (is it a {model.nouns(model.traceable())}?)")
    _attach(root, children, {root.node})
    return root


def _attach(node: TrailNode, children: dict[str, list[TrailNode]], path: set[str]) -> None:
    for child in children.get(node.node, []):
        copy = TrailNode(child.relation, child.node, child.cells)
        node.children.append(copy)
        if child.node not in path:
            _attach(copy, children, path | {child.node})


def render(root: TrailNode, indent: str = "  ") -> str:
    """The tree as indented lines, one step per line."""
    lines: list[str] = []

    def walk(node: TrailNode, depth: int) -> None:
        lines.append(f"{indent * depth}{node.text()}")
        for child in node.children:
            walk(child, depth + 1)

    walk(root, 0)
    return "\n".join(lines) + "\n"


def trace(item: str, engine: Engine, labels: LabelIndex | None = None) -> TrailNode:
    """The trail of ``item`` (IRI, short id such as ``004:slug``, or label)."""
    return build_tree(run_named(QUERY, {"item": item}, engine, labels))
