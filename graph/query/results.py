"""Write a ResultTable as a readable table or in the W3C SPARQL 1.1 result formats.

``json`` is SPARQL 1.1 Query Results JSON, ``csv`` and ``tsv`` the W3C SPARQL 1.1
Query Results CSV and TSV formats (CSV: plain values; TSV: RDF terms in SPARQL
syntax), so other tools read them as they read any endpoint's answer. ``table`` is for
people: instance IRIs shortened to ids that ``vexas-kg trace`` and ``--param`` accept,
long texts cut at a fixed width, and a result too wide for a terminal shown one block
per row. Its layout depends only on the result, never on the terminal, so it is
reproducible.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Callable, Hashable, Iterable, Mapping, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from vexas_kg import model
from vexas_kg.errors import UsageError
from vexas_kg.graph.query.engine import MEMO_FLOOR, Memo, ResultTable
from vexas_kg.ontology import iris

FORMATS = ("table", "csv", "tsv", "json")
CELL_WIDTH = 60
TABLE_WIDTH = 180
_TURTLE_INTEGER = re.compile(r"^[+-]?\d+$")
_TURTLE_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")


def select_columns(table: ResultTable, columns: str | None) -> ResultTable:
    """Keep only ``columns`` (comma-separated names, ``?`` optional), in the order given.

    Rows that become identical are kept: each row of a named query is one fact, and
    dropping columns must not change how many facts are listed.
    """
    if not columns:
        return table
    wanted = [c.strip().lstrip("?$") for c in columns.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in table.columns]
    if unknown or not wanted:
        raise UsageError(f"unknown column {', '.join(unknown) or repr(columns)}; "
                         f"the columns are {', '.join(table.columns)}")
    index = [table.columns.index(c) for c in wanted]
    return ResultTable(tuple(wanted), tuple(tuple(row[i] for i in index) for row in table.rows))


def format_results(table: ResultTable, fmt: str) -> str:
    """The table in ``fmt`` (table, csv, tsv or json), ending with a newline."""
    writers = {"table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json}
    if fmt not in writers:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](table)


def to_json(table: ResultTable) -> str:
    bindings = []
    for row in table.rows:
        bindings.append({column: _json_term(term) for column, term in zip(table.columns, row) if term is not None})
    document = {"head": {"vars": list(table.columns)}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class JsonWriter:
    """SPARQL 1.1 Results JSON for a long-lived writer (an endpoint worker): each distinct term is encoded once.

    ``term`` turns a row value (for example an Oxigraph term, exactly as the store gave
    it) into the rdflib term :func:`to_json` would write; the document is the one
    :func:`to_json` writes for the same rows, without its indentation. ``limit`` bounds the
    encoded terms kept (:func:`~vexas_kg.graph.query.engine.term_limit` of the served graph).
    """

    def __init__(self, term: Callable[[Hashable], Identifier | None], limit: int = MEMO_FLOOR) -> None:
        self.fragments = Memo(lambda value: None if value is None else json.dumps(_json_term(term(value)),
                                                                                 ensure_ascii=False), limit)
        """Row value (None = unbound) -> its term's JSON text (None): rows can be encoded as the engine
        gives them, in one pass, and then written with :meth:`write_encoded`."""

    def write(self, columns: Sequence[str], rows: Iterable[Sequence[Hashable | None]]) -> str:
        fragments = self.fragments
        return self.write_encoded(columns, ([fragments[value] for value in row] for row in rows))

    @staticmethod
    def write_encoded(columns: Sequence[str], rows: Iterable[Sequence[str | None]]) -> str:
        """The document of rows whose values are already :attr:`fragments`."""
        keys = [json.dumps(column, ensure_ascii=False) + ":" for column in columns]
        bindings = ",".join("{" + ",".join(key + value for key, value in zip(keys, row) if value is not None)
                            + "}" for row in rows)
        return ('{"head":{"vars":' + json.dumps(list(columns), ensure_ascii=False) + '},"results":{"bindings":['
                + bindings + "]}}\n")

    @staticmethod
    def term_of(fragment: str) -> Identifier:
        """The rdflib term whose JSON text :attr:`fragments` gave (to bind a value an encoded row holds)."""
        return term_from_json(json.loads(fragment))


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
        return out
    raise UsageError(f"cannot write {term!r} as a SPARQL result term")


def term_from_json(value: Mapping[str, str]) -> Identifier:
    """One RDF term from its SPARQL JSON form (ValueError for an unknown kind of term)."""
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        return Literal(value["value"], lang=value.get("xml:lang"),
                       datatype=URIRef(value["datatype"]) if value.get("datatype") else None)
    raise ValueError(f"unknown term type in the results: {kind!r}")


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """RFC 4180 CSV (CRLF line ends, as the SPARQL CSV results format uses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def to_csv(table: ResultTable) -> str:
    return csv_text(list(table.columns), (["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t))
                                           for t in row] for row in table.rows))


def to_tsv(table: ResultTable) -> str:
    lines = ["\t".join(f"?{c}" for c in table.columns)]
    lines += ["\t".join("" if t is None else sparql_syntax(t) for t in row) for row in table.rows]
    return "\n".join(lines) + "\n"


def sparql_syntax(term: Identifier) -> str:
    """An RDF term as the TSV results format writes it (integers and decimals may stay bare)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    if term.datatype == XSD.integer and _TURTLE_INTEGER.match(text):
        return text
    if term.datatype == XSD.decimal and _TURTLE_DECIMAL.match(text):
        return text
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace(
        "\r", "\\r").replace("\t", "\\t") + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        return f"{quoted}^^<{term.datatype}>"
    return quoted


def to_table(table: ResultTable) -> str:
    """Aligned columns, or one block per row when that would be wider than TABLE_WIDTH or a
    cell is longer than CELL_WIDTH: a text is never cut, since the part a cut hides is often the
    qualifier ("… or those refractory to JAK inhibitors and IL-6 blockade").

    A column with no value in any row is left out and named in the footer; in the
    block layout a row's empty fields are left out.
    """
    shown = [i for i in range(len(table.columns)) if any(row[i] is not None for row in table.rows)]
    if not table.rows:
        shown = list(range(len(table.columns)))
    hidden = [table.columns[i] for i in range(len(table.columns)) if i not in shown]
    header = [table.columns[i] for i in shown]
    cells = [[_cell(row[i]) for i in shown] for row in table.rows]
    widths = [max([len(c)] + [len(r[k]) for r in cells]) for k, c in enumerate(header)]
    count = len(table.rows)
    footer = f"({count} row{'s' if count != 1 else ''}"
    footer += f"; empty columns not shown: {', '.join(hidden)})" if hidden else ")"
    if sum(widths) + 2 * (len(widths) - 1) > TABLE_WIDTH or any(w > CELL_WIDTH for w in widths):
        return _blocks(table, [table.columns[i] for i in shown], shown, footer)

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    lines = [line(header), line(["-" * w for w in widths])] + [line(r) for r in cells] + [footer]
    return "\n".join(lines) + "\n"


def _blocks(table: ResultTable, names: list[str], shown: list[int], footer: str) -> str:
    width = max(len(n) for n in names)
    lines: list[str] = []
    for number, row in enumerate(table.rows, start=1):
        lines.append(f"-[ row {number} ]" + "-" * max(0, width - len(str(number)) - 3))
        for name, i in zip(names, shown):
            if row[i] is not None:
                lines.append(f"{name.ljust(width)}  {_cell(row[i])}")
    lines.append(footer)
    return "\n".join(lines) + "\n"


def short_iri(iri: str) -> str:
    """``004:slug`` for a document's traceable item (figure, claim ...); ``prefix:rest`` elsewhere."""
    return model.short_id(iri) or iris.prefixed(iri) or f"<{iri}>"


def _cell(term: Identifier | None) -> str:
    if term is None:
        return ""
    text = short_iri(str(term)) if isinstance(term, URIRef) else " ".join(str(term).split())
    return text
