"""Pages of a named query's answer: ``limit`` and ``offset`` applied to the ordered answer, and for a
query that declares its blocks (``#+ blocks:``), a page evaluated block by block.

SPARQL's LIMIT and OFFSET take a number written into the query text, which no binding style can
supply and which this project never writes; so the library slices the ordered answer. Sliced
after the fact, a page of a pairwise answer would still cost every pair (at 3,000 generated
documents, tens of millions). A query whose answer falls into blocks — consecutive rows that share
their leading ORDER BY keys, such as one figure's pairs — lists those blocks with a small internal
query in the answer's order; a page then binds the query's start variable to a run of blocks at a
time and stops as soon as the page is full, so its cost follows the rows up to the page's end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

from rdflib import URIRef

from vexas_kg import model
from vexas_kg.errors import QueryError, UsageError
from vexas_kg.graph.query.engine import Binding, ResultTable
from vexas_kg.queries import NamedQuery, read_query_text

Select = Callable[[str, Mapping[str, Binding]], tuple[Sequence[str], Sequence[tuple]]]
"""An engine's evaluation: query text and bindings -> (columns, rows)."""

NO_BLOCK = URIRef("urn:vexas-kg:no-block")
"""Bound when there is no block at all: matches nothing, so the query answers its columns and no row."""


@dataclass(frozen=True)
class Call:
    """One evaluation of a named query: its text, the bound parameters and the page to answer."""

    text: str
    bindings: Mapping[str, Binding]
    rows: slice
    blocks: tuple[str, str] | None = None
    """``(variable, text of the blocks query)`` for a query evaluated block by block."""
    parameters: frozenset[str] = frozenset()
    """The query's parameter names: the blocks query may project them, but they are not block keys."""
    narrow: tuple[str, str] | None = None
    """``(variable, text of the narrow query)``: the variable is bound to what it lists first."""


def page_of(named_query: NamedQuery, params: Mapping[str, object]) -> slice:
    """The rows of the ordered answer that ``limit`` and ``offset`` select (their defaults where not given;
    ``limit=all``, or a query without ``limit``, reads to the end).

    A paged query orders every row, so the slice is the same page on every run and every engine."""
    values: dict[str, int | None] = {}
    for name in model.PAGING:
        parameter = named_query.parameter(name)
        if parameter is None:
            continue
        given = params.get(name, parameter.default)
        if given is None:
            continue
        if not isinstance(given, str):
            given = list(given)  # type: ignore[call-overload]
            if len(given) != 1:
                raise UsageError(f"--param {name} is given {len(given)} times, but it takes one value")
            given = given[0]
        value = str(model.parameter_type(parameter.type).literal(str(given), name))
        values[name] = None if value == model.PAGE_ALL else int(value)
    start = values.get("offset") or 0
    limit = values.get("limit")
    return slice(start, None if limit is None else start + limit)


def next_page(page: slice, rows: int) -> slice | None:
    """The page after ``page`` when its ``rows`` filled it (the answer may go on there), else None."""
    if page.stop is None or rows < page.stop - page.start:
        return None
    return slice(page.stop, 2 * page.stop - page.start)


def call_of(named_query: NamedQuery, bindings: Mapping[str, Binding], rows: slice) -> Call:
    """The evaluation of ``named_query`` for these bindings and this page."""
    blocks = narrow = None
    if named_query.blocks is not None and rows.stop is not None:
        variable, file_name = named_query.blocks
        blocks = (variable, read_query_text(file_name))
    if named_query.narrow is not None:
        variable, file_name = named_query.narrow
        narrow = (variable, read_query_text(file_name))
    return Call(named_query.text, dict(bindings), rows, blocks, frozenset(p.name for p in named_query.parameters),
                narrow)


def narrowed(call: Call, select: Select, as_binding: Callable[[object], Binding] = lambda term: term) -> Call:
    """``call`` with its narrowed variable bound to the values its narrow query lists (none: a
    value that matches nothing), ready to evaluate; unchanged without a ``#+ narrow:`` line."""
    if call.narrow is None:
        return call
    variable, narrow_text = call.narrow
    columns, rows = select(narrow_text, call.bindings)
    if variable not in columns:
        raise QueryError(f"the narrow query does not project the narrowed variable {variable!r}")
    at = list(columns).index(variable)
    values = tuple(dict.fromkeys(as_binding(row[at]) for row in rows if row[at] is not None))
    return replace(call, bindings={**call.bindings, variable: values or (NO_BLOCK,)}, narrow=None)


def evaluate(call: Call, select: Select, as_binding: Callable[[object], Binding] = lambda term: term) -> tuple[
        tuple[str, ...], list[tuple]]:
    """The columns and the rows of the page ``call.rows``.

    Without blocks (or without a limit) the whole answer is evaluated and sliced. With blocks:
    the blocks query lists the answer's blocks in order; runs of consecutive blocks are
    evaluated with the start variable bound to their values (``as_binding`` turns a result term
    of ``select`` into a term to bind), each run's rows whose keys are its blocks' are kept (the
    engine orders them, and the runs come in the answer's order), and the runs stop once the
    page is full. A run is sized from the rows per block seen so far, growing at most fourfold.
    A narrowed variable (``#+ narrow:``) is bound first (:func:`narrowed`)."""
    call = narrowed(call, select, as_binding)
    if call.blocks is None or call.rows.stop is None:
        columns, rows = select(call.text, call.bindings)
        return tuple(columns), list(rows)[call.rows]
    variable, blocks_text = call.blocks
    key_columns, listed = select(blocks_text, call.bindings)
    keys_at = [i for i, name in enumerate(key_columns) if name not in call.parameters]
    key_names = [key_columns[i] for i in keys_at]
    if variable not in key_names:
        raise QueryError(f"the blocks query does not project the blocks variable {variable!r}")
    keys = list(dict.fromkeys(tuple(row[i] for i in keys_at) for row in listed))
    start_at = key_names.index(variable)
    needed = call.rows.stop
    kept: list[tuple] = []
    columns: tuple[str, ...] | None = None
    done, size = 0, 1
    while done < len(keys) and len(kept) < needed:
        run = keys[done:done + size]
        done += len(run)
        values = tuple(dict.fromkeys(as_binding(key[start_at]) for key in run if key[start_at] is not None))
        if not values:
            continue
        found_columns, rows = select(call.text, {**call.bindings, variable: values})
        columns = tuple(found_columns)
        at = _positions(columns, key_names)
        wanted = set(run)
        kept.extend(row for row in rows if tuple(row[i] for i in at) in wanted)
        per_block = len(kept) / done
        missing = needed - len(kept)
        size = min(4 * size, max(1, math.ceil(missing / per_block))) if per_block else 2 * size
    if columns is None:
        found_columns, _ = select(call.text, {**call.bindings, variable: (NO_BLOCK,)})
        columns = tuple(found_columns)
    return columns, kept[call.rows]


def _positions(columns: Sequence[str], names: Sequence[str]) -> list[int]:
    missing = [name for name in names if name not in columns]
    if missing:
        raise QueryError(f"the blocks query's keys {', '.join(missing)} are not columns of the query")
    return [list(columns).index(name) for name in names]


def page(table: ResultTable, rows: slice) -> ResultTable:
    """``table`` with only the rows of the page ``rows``."""
    if rows == slice(0, None):
        return table
    return ResultTable(table.columns, table.rows[rows])
