"""Strict YAML 1.2 reading: every value keeps its exact text and its line.

Curated records are read as a tree of located nodes, never through YAML's implicit
typing: ``NO`` stays the text ``NO`` (YAML 1.1 would make it false), ``0755`` stays
``0755`` until a typed field rejects it, and ``2.50`` is never rounded to ``2.5``.
Duplicate keys are errors. Only the composer runs (ruamel.yaml's C composer, about
ten times faster than its pure-Python one): no tag is ever resolved, so the YAML 1.1 and
1.2 schemas cannot disagree about a value; the typed fields decide. The record schema (``loaders.record``) then converts each
field to its declared type and reports problems as ``file:line: field``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vexas_kg.errors import Location, RecordError


@dataclass(frozen=True)
class Scalar:
    """A scalar's exact text, whether it was quoted, and its 1-based line."""

    text: str
    line: int
    quoted: bool


@dataclass
class Mapping:
    """A mapping with its keys in file order and each key's 1-based line."""

    items: dict[str, "Value"]
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Sequence:
    """A sequence and its 1-based line."""

    items: list["Value"]
    line: int


Value = Union[Scalar, Mapping, Sequence]


def read_yaml(text: str, file: str) -> Value:
    """Parse YAML 1.2 text into located nodes; raise RecordError with the line on any problem."""
    yaml = YAML(typ="safe", pure=False)
    yaml.version = (1, 2)
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "syntax error"
        raise RecordError(f"malformed YAML: {problem}", Location(file, line)) from None
    if node is None:
        raise RecordError("the file is empty", Location(file, 1))
    return _convert(node, file, "")


def _convert(node: Node, file: str, path: str) -> Value:
    line = node.start_mark.line + 1
    if isinstance(node, ScalarNode):
        return Scalar(str(node.value), line, node.style in ("'", '"', "|", ">"))
    if isinstance(node, SequenceNode):
        return Sequence(
            [_convert(item, file, f"{path}[{i}]") for i, item in enumerate(node.value)], line
        )
    if isinstance(node, MappingNode):
        items: dict[str, Value] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                raise RecordError("a mapping key must be plain text", Location(file, key_line, path))
            key = str(key_node.value)
            if key == "<<":
                raise RecordError("merge keys (<<) are not allowed", Location(file, key_line, path))
            where = f"{path}.{key}" if path else key
            if key in items:
                raise RecordError(
                    f"duplicate key {key!r} (first at line {key_lines[key]})",
                    Location(file, key_line, where),
                )
            items[key] = _convert(value_node, file, where)
            key_lines[key] = key_line
        return Mapping(items, line, key_lines)
    raise RecordError("unsupported YAML node", Location(file, line, path))
