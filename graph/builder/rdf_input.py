"""RDF files given to ``vexas-kg validate``: read without ever reaching the network, size and depth bounded.

The file is read (at most ``MAX_RDF_BYTES``) and decoded as strict UTF-8 here, and the
parser only ever sees that text, never a path or URL it could open. Turtle, TriG,
N-Triples and N-Quads fetch nothing; ``owl:imports`` is never followed (the validation
runs without imports). A JSON-LD document is parsed with ``json`` first and refused if any
``@context`` (or ``@import``) refers to a document by IRI: rdflib would fetch it, with no
timeout. RDF/XML is not accepted at all, so XML entities never come into play.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Graph

from vexas_kg.errors import Location, RDFSyntaxError, RecordError
from vexas_kg.loaders.strict_text import decode_strict

RDF_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig", ".nq": "nquads"}
MAX_RDF_BYTES = 64 * 1024 * 1024
"""Largest RDF file read (the full graph as N-Triples is about 2 MB)."""
MAX_JSON_DEPTH = 64
"""Deepest nesting of a JSON-LD document (the graph's own export uses 6)."""


def parse_rdf(path: Path) -> Graph:
    """Parse an RDF file by its extension; a syntax error names the file and line."""
    fmt = RDF_FORMATS.get(path.suffix.lower())
    where = Location(str(path))
    if fmt is None:
        raise RDFSyntaxError(f"unknown RDF file type {path.suffix!r}; use one of {', '.join(RDF_FORMATS)}", where)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_RDF_BYTES + 1)
    except OSError as exc:
        raise RDFSyntaxError(f"cannot read the file: {exc.strerror or exc}", where) from None
    try:
        text = decode_strict(data, str(path), MAX_RDF_BYTES)
    except RecordError as exc:
        raise RDFSyntaxError(exc.message, exc.location) from None
    if fmt == "json-ld":
        _refuse_remote_contexts(text, path)
    try:
        return Graph().parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except RecursionError:
        raise RDFSyntaxError("the document is nested too deeply to read", where) from None
    except Exception as exc:  # rdflib raises several unrelated types for syntax errors
        raise RDFSyntaxError(f"cannot parse as {fmt}: {_first_line(exc)}", Location(str(path), _line_of(exc))) from None


def _refuse_remote_contexts(text: str, path: Path) -> None:
    """Refuse JSON-LD that would make the parser fetch a document: a context given by IRI, or ``@import``."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise RDFSyntaxError(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels", Location(str(path))) from None
    except json.JSONDecodeError as exc:
        raise RDFSyntaxError(f"cannot parse as JSON: {exc.msg}", Location(str(path), exc.lineno)) from None
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise RDFSyntaxError(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels", Location(str(path)))
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "@import":
                    raise RDFSyntaxError(f"the JSON-LD context imports {item!r}; remote documents are never fetched: "
                                         "inline it", Location(str(path), 0, "@import"))
                if key == "@context":
                    for context in item if isinstance(item, list) else [item]:
                        if isinstance(context, str):
                            raise RDFSyntaxError(f"the JSON-LD context {context!r} is a remote document, which is "
                                                 "never fetched: inline the context", Location(str(path), 0, "@context"))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _line_of(exc: Exception) -> int:
    match = re.search(r"line (\d+)", str(exc)) or re.search(r":(\d+):", str(exc))
    return int(match.group(1)) if match else 0
