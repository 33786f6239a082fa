"""The provenance trail of one item as a tree, for ``vexas-kg trace``.

The tree is the ``provenance-trail`` named query's answer folded by its ``parent``
column: every row is one node (a quote, a document, a citation marker, a reference
entry, a publication, a study, an interval, a criterion, a curator note, a citation
warning ...) under the node it was reached from; a leaf row (an interval, a p-value, a
note) has no node of its own. Nothing here queries the graph except through the named
queries and their packaged internal queries, so the trail is the same on every engine, local or
remote.

Each relation is rendered by one entry of ``_RENDER``: a new kind of row needs one
branch in the query and one line here.

A figure's trail ends with its comparability against every other figure on its outcome: the
``comparisons`` named query's rows for this figure (its verdict and the four checks with their
reasons), run with the figure bound, so the pairs are the query's own. Past ``LISTED`` pairs, only
the pairs a reader must see are computed (``_figure-pairs.rq`` names them and counts the rest), so
the trail of one figure costs its own neighbourhood however many figures share its outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable, Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from vexas_kg import model
from vexas_kg.errors import UsageError
from vexas_kg.graph.query.engine import Engine, ResultTable
from vexas_kg.graph.query.named import LabelIndex, named, run_named
from vexas_kg.graph.query.results import short_iri
from vexas_kg.loaders.criteria import OPERATOR_WORDS
from vexas_kg.ontology.vocab import VX
from vexas_kg.queries import read_query_text

QUERY = "provenance-trail"
COMPARISONS = "comparisons"
FIGURE_TEXT = "_figure-text.rq"
FIGURE_PAIRS = "_figure-pairs.rq"

Cells = Mapping[str, str]


def _amount(cell: Cells) -> str:
    """``value unit``, with no space before a percent sign."""
    unit = cell["unit"]
    return f"{cell['value']}{unit}" if unit == "%" else f"{cell['value']} {unit}".strip()


def _bounds(cell: Cells) -> str:
    unit = "" if cell["unit"] == "ratio" else cell["unit"]  # a ratio's interval has no unit to print
    text = f"{cell['low']}–{cell['high']}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()


def _criterion(cell: Cells) -> str:
    operator = cell["detail"]
    if operator == "met":
        return f"criterion: {cell['label']} (met)"
    words = OPERATOR_WORDS.get(operator, operator)
    return f"criterion: {cell['label']} {words} {_amount(cell)}".rstrip()


def _comparability(cell: Cells) -> list[tuple[str, bool]]:
    """One pair of ``comparisons``: the other figure, the verdict, the four checks, the remedy
    and, where the source calls the two similar, its words."""
    when = cell["when"]
    at = f" at {when}" if re.fullmatch(r"P[0-9YMWD]+", when) else f", timepoint {when}"
    parts: list[tuple[str, bool]] = [(f"{cell['ident']} (", False), (cell["arm"], True),
                                     (f", {_amount(cell)}{at}): {cell['label']}", False)]
    checks = [cell[k] for k in ("studyCheck", "definitionCheck", "timepointCheck", "basisCheck") if cell.get(k)]
    parts.append((" — " + "; ".join(checks), False))
    if cell.get("toMakeComparable"):
        parts.append((f"; to make them comparable: {cell['toMakeComparable']}", False))
    if cell.get("sourceSays"):
        parts += [("; ", False), (cell["sourceSays"], True)]
    return parts


_RENDER: dict[str, Callable[[Cells], list[tuple[str, bool]]]] = {
    "comparisons": lambda c: [(f"comparability with the other figures on {c['label']} (query comparisons):", False)],
    "comparability": _comparability,
    "not listed": lambda c: [(f"{c['label']}; every pair with its verdict: "
                              f"vexas-kg query comparisons --param figure={c['figure']} --param limit={model.PAGE_ALL}", False)],
    "confidence interval": lambda c: [(f"{c['label']} {_bounds(c)}", False)],
    "p-value": lambda c: [(f"p = {c['value']}", False)],
    "spread": lambda c: [(f"{c['label']} {_bounds(c)}", False)],
    "count": lambda c: [(f"{c['label']} = {c['value']}", False)]
    + ([(" (", False), (c["detail"], True), (")", False)] if c["detail"] else []),
    "statistic": lambda c: [(f"statistic: {c['label']}", False)],
    "comparator": lambda c: [("compared with: ", False), (c["label"], True)],
    "population": lambda c: [("population: ", False), (c["label"], True)],
    "response definition": lambda c: [(f"response definition {c['ident']}: {c['label']}", False)]
    + ([(' "', False), (c["detail"], True), ('"', False)] if c["detail"] else []),
    "criterion": lambda c: [(_criterion(c), False)],
    "includes": lambda c: [(f"includes {c['ident']}: {c['label']}", False)],
    "excludes": lambda c: [(f"excludes {c['ident']}: {c['label']}", False)],
    "note": lambda c: [("curator's note: ", False), (c["label"], True)],
    "evidence level": lambda c: [(f"evidence level: {c['label']} ({c['detail']})", False)],
    "limitation": lambda c: [(f"limitation stated {c['ident']}: ", False), ('"', False), (c["label"], True),
                             ('"', False)],
    "population basis": lambda c: [(f"counts: {c['label']}", False)],
    "editorial status": lambda c: [("editorial status as printed: ", False), (c["label"], True)],
    "citation warning": lambda c: [(f"warning (citation-audit: {c['label']}): {c['detail']}", False)],
    "test": lambda c: [("test: ", False), (c["label"], True)],
    "timing": lambda c: [("timing: ", False), (c["label"], True)],
    "condition": lambda c: [("condition: ", False), (c["label"], True)],
    "risk": lambda c: [("risk as printed: ", False), (c["label"], True)],
    "decision point": lambda c: [(f"decision point: {c['label']}" + (f" ({c['detail']})" if c["detail"] else ""), False)],
    "subject role": lambda c: [(f"names {c['label']}: {c['detail']}", False)],
    "dose": lambda c: [(f"dose: {_amount(c)}" + (f", {c['detail']}" if c["detail"] else ""), False)],
    "lowest dose": lambda c: [(f"lowest dose: {_amount(c)}", False)],
    "highest dose": lambda c: [(f"highest dose: {_amount(c)}", False)],
}
_HEADS = {
    "item": "", "quote": "quote", "document": "document", "statement": "stated in",
    "citation marker": "citation", "reference entry": "reference entry", "publication": "publication",
    "study": "study", "arm": "arm", "study publication": "reported in", "same figure": "same figure",
    "same statement": "same statement", "supports": "supports", "disputes": "disputes",
    "supported by": "supported by", "disputed by": "disputed by", "frequency": "frequency",
}
_VERBATIM = {"quote", "statement", "same statement", "document", "reference entry"}


def without_repeats(segments: list[tuple[str, bool]]) -> str:
    """Join rendered segments, dropping a word that repeats the word just before it ("at at",
    "ACR Convergence 2023 2023"). Verbatim text (quotes, titles) is never changed: of two equal
    words, the composed one goes."""
    out: list[tuple[str, bool]] = []
    for text, verbatim in segments:
        for token in re.split(r"(\s+)", text):
            if not token:
                continue
            core = re.match(r"[\w.-]*\w", token)
            previous = len(out) - 2
            if core and token.strip() and previous >= 0 and not out[-1][0].strip() and \
                    out[previous][0].casefold() == core.group(0).casefold():
                if not verbatim:
                    out.pop()
                    rest = token[core.end():]
                    if rest:
                        out.append((rest, False))
                    continue
                if not out[previous][1]:
                    del out[previous:]
            out.append((token, verbatim))
    return "".join(token for token, _ in out)


@dataclass
class TrailNode:
    """One step of the trail: how it was reached, what it is, and what was reached from it."""

    relation: str
    node: str | None
    cells: Mapping[str, Identifier | None]
    children: list["TrailNode"] = field(default_factory=list)

    def cell(self) -> dict[str, str]:
        """The row's cells as display strings (white space collapsed; '' when unbound)."""
        shown = {k: ("" if v is None else " ".join(str(v).split())) for k, v in self.cells.items()}
        shown["ident"] = short_iri(self.node) if self.node else ""
        return shown

    def text(self) -> str:
        """One readable line for this step."""
        return without_repeats(self.segments())

    def segments(self) -> list[tuple[str, bool]]:
        cell = self.cell()
        if self.relation in _RENDER:
            return _RENDER[self.relation](cell)
        head = _HEADS.get(self.relation, self.relation)
        if self.relation == "citation marker":
            return [(f"citation {cell['label']} (printed at {cell['start']}-{cell['end']}): {cell['detail']}", False)]
        parts: list[tuple[str, bool]] = []
        if self.relation == "quote":
            parts.append((f"quote [{cell['start']}-{cell['end']}]", False))
        else:
            parts.append((f"{head} {cell['ident']}".strip(), False))
        label = cell["label"]
        quoted = self.relation in ("quote", "statement", "same statement") or (
            self.relation == "item" and cell["detail"].startswith("claim"))
        if label:
            parts += [(': "', False), (label, True), ('"', False)] if quoted else \
                [(": ", False), (label, self.relation in _VERBATIM)]
        if cell["value"]:
            parts.append((f" = {_amount(cell)}", False))
        when = self.cells.get("when")
        if when is not None:
            is_duration = isinstance(when, Literal) and when.datatype == XSD.duration
            parts.append((f" at {cell['when']}" if is_duration else f", {cell['when']}", not is_duration))
        if cell["detail"]:
            parts.append((f" ({cell['detail']})", False))
        return parts

    def as_json(self) -> dict[str, object]:
        """The step and its children as plain JSON values (terms as strings, unbound cells left out)."""
        cells = {k: str(v) for k, v in self.cells.items()
                 if v is not None and k not in ("relation", "parent", "node", "item", "step", "order")}
        return {"relation": self.relation, **({"node": self.node} if self.node else {}), **cells,
                "text": self.text(), "children": [child.as_json() for child in self.children]}


def build_tree(table: ResultTable) -> TrailNode:
    """Fold the query's rows into a tree rooted at the item (a row without a parent)."""
    columns = {name: i for i, name in enumerate(table.columns)}
    children: dict[str, list[TrailNode]] = {}
    root: TrailNode | None = None
    for row in table.rows:
        cells = {name: row[i] for name, i in columns.items()}
        node = TrailNode(str(cells["relation"]), None if cells["node"] is None else str(cells["node"]), cells)
        if cells["parent"] is None:
            root = node
        else:
            children.setdefault(str(cells["parent"]), []).append(node)
    if root is None:
        raise UsageError(f"the item has no provenance trail (is it a {model.nouns(model.traceable())}?)")
    _attach(root, children, {root.node or ""})
    return root


def _attach(node: TrailNode, children: dict[str, list[TrailNode]], path: set[str]) -> None:
    for child in children.get(node.node or "", []) if node.node else []:
        copy = TrailNode(child.relation, child.node, child.cells)
        node.children.append(copy)
        if child.node is not None and child.node not in path:
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


def with_comparisons(root: TrailNode, engine: Engine, labels: LabelIndex) -> TrailNode:
    """``root`` with, if it is a figure, a last child listing its pairs from ``comparisons``
    (one child per other figure on the same outcome, statistic and unit)."""
    entry = labels.entries.get(root.node or "")
    if entry is None or str(VX.Figure) not in entry.kinds:
        return root
    figure = URIRef(root.node or "")
    found = engine.select(read_query_text(FIGURE_PAIRS), {"figure": figure})
    pairs_at, kept_at = found.columns.index("pairs"), found.columns.index("kept")
    total = int(found.rows[0][pairs_at]) if found.rows else 0
    if total <= LISTED:
        table = run_named(COMPARISONS, {"figure": f"<{root.node}>", "limit": model.PAGE_ALL}, engine, labels)
    else:  # only the pairs with the figures of its study and those called similar: the rest are counted
        sides = (figure, *sorted({row[kept_at] for row in found.rows if row[kept_at] is not None}))
        table = engine.select(named(COMPARISONS).text, {"figure": figure, "figureA": sides, "figureB": sides})
    col = {name: i for i, name in enumerate(table.columns)}
    pairs: list[TrailNode] = []
    outcome = ""
    # The query lists pairs figure by figure (its pages follow its blocks); one figure's trail
    # reads best by verdict, comparable pairs first, then by the other figure.
    ordered = sorted(table.rows, key=lambda row: (str(row[col["verdict"]]), str(row[col["figureA"]]),
                                                  str(row[col["figureB"]])))
    for row in ordered:
        cells = {name: row[i] for name, i in col.items()}
        side = "B" if str(cells["figureA"]) == root.node else "A"
        other = str(cells[f"figure{side}"])
        outcome = str(cells["outcomeLabel"])
        shown: dict[str, Identifier | None] = {
            "relation": Literal("comparability"), "parent": URIRef(root.node or ""), "node": URIRef(other),
            "label": cells["verdict"], "arm": cells[f"arm{side}"], "value": cells[f"value{side}"],
            "unit": root.cells.get("unit"), "when": cells[f"when{side}"]}
        for name in ("studyCheck", "definitionCheck", "timepointCheck", "basisCheck", "toMakeComparable",
                     "sourceSays"):
            shown[name] = cells[name] if cells[name] is not None and str(cells[name]) else None
        pairs.append(TrailNode("comparability", other, shown))
    pairs = _bounded(pairs, root, total)
    if pairs:
        heading = TrailNode("comparisons", None, {"relation": Literal("comparisons"), "parent": URIRef(root.node or ""),
                                                  "label": Literal(outcome)}, pairs)
        root.children.append(heading)
    return root


LISTED = 25
"""A figure's trail lists every comparability pair up to this many; past it, only the pairs a reader
must see (inside the figure's own study, or ones its source calls similar) and a count of the rest,
so one figure's trail stays its own size, and its cost its own, however many figures share its
outcome. The rest, with their verdicts, are one command away (the summary line names it)."""


def _bounded(pairs: list[TrailNode], root: TrailNode, total: int) -> list[TrailNode]:
    """``pairs`` whole when there are no more than LISTED of ``total``; else the pairs in the figure's
    study or called similar, then one line counting the rest and naming the command that lists them
    all with their verdicts (never a silent cut)."""
    if total <= LISTED:
        return pairs
    kept = [pair for pair in pairs if str(pair.cells.get("studyCheck") or "").startswith("same study")
            or pair.cells.get("sourceSays")]
    rest = total - len({pair.node for pair in kept})
    summary = TrailNode("not listed", None, {
        "relation": Literal("not listed"), "parent": URIRef(root.node or ""),
        "figure": Literal(short_iri(root.node or "")),
        "label": Literal(f"{rest} more pairs with figures of other studies, not listed")})
    return kept + [summary]


def trace(item: str, engine: Engine, labels: LabelIndex | None = None) -> TrailNode:
    """The trail of ``item``: an IRI, a short id such as ``004:slug``, a label, or a figure's
    printed text ("91%": the figure whose quote prints it and whose value it is); a figure's
    trail ends with its comparability against the other figures on its outcome."""
    labels = labels if labels is not None else LabelIndex.from_engine(engine)
    try:
        return with_comparisons(build_tree(run_named(QUERY, {"item": item}, engine, labels)), engine, labels)
    except UsageError as unknown:
        if not str(unknown).startswith("unknown "):
            raise
        found = figures_printing(item, engine)
        if not found:
            raise
        if len(found) > 1:
            listed = "; ".join(f"{short_iri(iri)} ({label})" for iri, label in found)
            raise UsageError(f"{item!r} is printed in {len(found)} figures: {listed}; give one of these ids") from None
    return with_comparisons(build_tree(run_named(QUERY, {"item": f"<{found[0][0]}>"}, engine, labels)), engine,
                            labels)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def figures_printing(text: str, engine: Engine) -> list[tuple[str, str]]:
    """Figures whose quote prints ``text`` (white space ignored, not inside a longer number);
    of those, the ones whose value is the number ``text`` shows, when any is. Sorted by IRI."""
    wanted = "".join(text.split())
    numbers = _NUMBER.findall(wanted)
    if not numbers or not wanted:
        return []
    pattern = re.compile(rf"(?<![\d.]){re.escape(wanted)}(?!\d)")
    table = engine.select(read_query_text(FIGURE_TEXT), {})
    col = {name: i for i, name in enumerate(table.columns)}
    printing: dict[str, tuple[str, bool]] = {}
    for row in table.rows:
        iri, label, value, exact = (row[col[c]] for c in ("figure", "label", "value", "exact"))
        if pattern.search("".join(str(exact).split())):
            same = _same_number(str(value), numbers[0])
            old = printing.get(str(iri))
            printing[str(iri)] = (str(label), same or (old[1] if old else False))
    exact_value = {iri: label for iri, (label, same) in printing.items() if same}
    chosen = exact_value or {iri: label for iri, (label, _) in printing.items()}
    return sorted(chosen.items())


def _same_number(value: str, printed: str) -> bool:
    try:
        return Decimal(value) == Decimal(printed)
    except InvalidOperation:
        return False


