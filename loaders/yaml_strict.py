"""Strict YAML 1.2 reading: every value keeps its exact text and its line.

Curated records are read as a tree of located nodes, never through YAML's implicit
typing: ``NO`` stays the text ``NO`` (YAML 1.1 would make it false), ``0755`` stays
``0755`` until a typed field rejects it, and ``2.50`` is never rounded to ``2.5``.
Duplicate keys are errors. Only the parser runs (ruamel.yaml's C parser, libyaml): the
tree is built from its events, no tag is ever resolved, so the YAML 1.1 and 1.2 schemas
cannot disagree about a value; the typed fields decide. Anchors, aliases, merge keys,
tags and nesting deeper than ``MAX_DEPTH`` are refused. The typed fields (``loaders.fields``) then convert each
field to its declared type and reports problems as ``file:line: field``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (AliasEvent, DocumentStartEvent, Event, MappingEndEvent, MappingStartEvent,
                                ScalarEvent, SequenceEndEvent, SequenceStartEvent)

from vexas_kg.errors import Location, RecordError
from vexas_kg.loaders.strict_text import MAX_INPUT_BYTES

MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences in a record (the shipped records use at most 5)."""


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
    """Parse YAML 1.2 text into located nodes; raise RecordError with the line on any problem.

    The tree is built here from the parser's events, without recursion, so nesting cannot
    exhaust the stack; nesting deeper than ``MAX_DEPTH``, anchors and aliases (an alias
    bomb expands a few hundred bytes into gigabytes; curated records never need them),
    tags and a second document are refused at their line.
    """
    if len(text) > MAX_INPUT_BYTES:
        raise RecordError(f"the text is {len(text)} characters; the limit is {MAX_INPUT_BYTES}", Location(file, 1))
    yaml = YAML(typ="safe", pure=False)
    yaml.version = (1, 2)
    builder = _TreeBuilder(file)
    try:
        for event in yaml.parse(text):
            builder.add(event)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "syntax error"
        raise RecordError(f"malformed YAML: {problem}", Location(file, line)) from None
    except YAMLError as exc:  # a bad character is reported by its position, not a mark
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else builder.line
        raise RecordError(f"malformed YAML: {' '.join(str(exc).split())}", Location(file, line)) from None
    if builder.root is None:
        raise RecordError("the file is empty", Location(file, 1))
    return builder.root


class _TreeBuilder:
    """Turns parser events into located nodes, keeping open collections on an explicit stack."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.root: Value | None = None
        self.documents = 0
        self.line = 1
        self.stack: list[tuple[Mapping | Sequence, str]] = []
        self.pending_key: list[tuple[str, int] | None] = []

    def add(self, event: Event) -> None:
        self.line = event.start_mark.line + 1
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise RecordError("a record file holds one YAML document; found a second", Location(self.file, self.line))
        elif isinstance(event, AliasEvent):
            raise RecordError(f"aliases (*{event.anchor}) are not allowed in records; write the value out",
                              Location(self.file, self.line, self._path()))
        elif isinstance(event, (ScalarEvent, MappingStartEvent, SequenceStartEvent)):
            if event.anchor is not None:
                raise RecordError(f"anchors (&{event.anchor}) are not allowed in records",
                                  Location(self.file, self.line, self._path()))
            if event.tag is not None and not (isinstance(event, ScalarEvent) and event.tag == "!"):
                raise RecordError(f"tags ({event.tag}) are not allowed in records; the field's type decides",
                                  Location(self.file, self.line, self._path()))
            if isinstance(event, ScalarEvent):
                self._place(Scalar(str(event.value), self.line, event.style in ("'", '"', "|", ">")))
            else:
                if len(self.stack) >= MAX_DEPTH:
                    raise RecordError(f"nested deeper than {MAX_DEPTH} levels", Location(self.file, self.line, self._path()))
                node: Mapping | Sequence = Mapping({}, self.line) if isinstance(event, MappingStartEvent) \
                    else Sequence([], self.line)
                path = self._child_path()
                self._place(node)
                self.stack.append((node, path))
                self.pending_key.append(None)
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            self.stack.pop()
            self.pending_key.pop()

    def _path(self) -> str:
        return self._child_path() if self.stack else ""

    def _child_path(self) -> str:
        if not self.stack:
            return ""
        parent, path = self.stack[-1]
        if isinstance(parent, Sequence):
            return f"{path}[{len(parent.items)}]"
        key = self.pending_key[-1]
        if key is None:
            return path
        return f"{path}.{key[0]}" if path else key[0]

    def _place(self, node: Value) -> None:
        if not self.stack:
            self.root = node
            return
        parent, path = self.stack[-1]
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        key = self.pending_key[-1]
        if key is None:
            if not isinstance(node, Scalar):
                raise RecordError("a mapping key must be plain text", Location(self.file, node.line, path))
            if node.text == "<<" and not node.quoted:
                raise RecordError("merge keys (<<) are not allowed", Location(self.file, node.line, path))
            if node.text in parent.items:
                where = f"{path}.{node.text}" if path else node.text
                raise RecordError(f"duplicate key {node.text!r} (first at line {parent.key_lines[node.text]})",
                                  Location(self.file, node.line, where))
            self.pending_key[-1] = (node.text, node.line)
            return
        parent.items[key[0]] = node
        parent.key_lines[key[0]] = key[1]
        self.pending_key[-1] = None
