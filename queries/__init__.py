"""The named SPARQL queries: one self-documenting ``.rq`` file each.

Every file opens with a metadata header, one ``#+ key: value`` line per entry::

    #+ title: Comparative efficacy
    #+ description: One row per outcome figure of a drug or class, ...
    #+ question: How did each drug or class do, outcome by outcome?
    #+ param: outcome measure optional only figures of this outcome
    #+ param: drug drug required the drug that failed
    #+ param: timepoint duration default=P6M when the outcome was measured
    #+ example: outcome=CRP level; drug=ruxolitinib
    #+ growth: linear in the outcome figures of the drug

A parameter line is ``NAME TYPE MODE [many] DESCRIPTION`` where MODE is ``required``,
``optional`` (not given = no restriction; the variable stays unbound) or
``default=VALUE`` (a value with spaces is written in double quotes). ``many`` lets the
parameter take several values (``--param NAME=a --param NAME=b``): the query then
answers for each of them, as one ``VALUES`` row per value. NAME is the SPARQL variable
the value is bound to. TYPE is one of :func:`vexas_kg.model.parameter_types`. An
``example`` line is one runnable set of values, ``NAME=VALUE`` pairs separated by ``;``
(`vexas-kg queries` prints them, and a test runs every one). ``growth`` states how the
number of rows grows with the evidence, as its first word — ``fixed`` (one item's
neighbourhood: the same at any size), ``linear`` (in proportion to the documents) or
``pairwise`` (pairs of items, say which) — and is checked on generated evidence by
``tests/benchmarks``.

A pairwise query pages its answer: it declares ``#+ param: limit page-size default=100 ...``
and ``#+ param: offset non-negative-integer default=0 ...`` (:data:`vexas_kg.model.PAGING`), so that
without them it answers its first 100 rows (``limit=all`` asks for the whole answer), and
an ORDER BY that orders every row (its last keys the pair's own IRIs), so a page is the same on
every run and every engine. The two are not SPARQL variables: a LIMIT or OFFSET cannot be bound
by ``initBindings``, ``substitutions`` or ``VALUES``, and a value is never written into the query
text, so the library applies them as a slice of the ordered answer
(:func:`vexas_kg.graph.query.named.page_of`).

A query that works on a list of kinds (the items a trail starts from, the kinds a
label may name) does not spell the classes out; it declares ``#+ kinds: VAR LIST``
and the query's text gains ``FILTER (?VAR IN (...))`` with the classes of that list of the
model (``traceable``, ``labelled``; see :data:`vexas_kg.model.CLASS_LISTS`) at the opening
of its WHERE group, so a new kind reaches the query through its registry row alone. The
query must bind ``?VAR`` itself (``?item a ?itemType``). A filter, not a ``VALUES`` block:
the text then runs unchanged on any store, and a store that joins a many-row ``VALUES``
block by hashing does not first evaluate the query for every item.

A paged query may also say how a page is evaluated without the whole answer:
``#+ blocks: VAR FILE`` names an internal query (``_NAME.rq``) that takes the same parameters and
lists, in the order of the answer, the *blocks* of the answer: the values of the variables its
rows project, which are the leading ORDER BY keys of the named query (the same expressions, the
same order) and projected by it too. VAR, one of them, is what the named query's patterns
start from (a triple pattern binds it, never a BIND). A page is then evaluated block by block
(:mod:`vexas_kg.graph.query.paging`): VAR is bound to the values of a run of consecutive blocks
with a ``VALUES`` block, the rows whose keys are those blocks' are kept, and the runs stop when
the page is full, so the first page of a pairwise answer costs a few blocks, not every pair.
With ``limit=all`` the answer is evaluated whole; a test holds the two to one answer.

``#+ narrow: VAR FILE`` names an internal query that takes the same parameters and lists every
value VAR takes in the answer (for the trail of one item: its documents). VAR is then bound to
those values like a parameter before the query runs (:mod:`vexas_kg.graph.query.paging`), so the
parts that start from VAR — a subquery that projects it, such as an included query's per-document
rules — do their item's share of the work, not the whole graph's. VAR is no parameter of the query;
that the narrowed answer is the whole answer is tested for each such query.

``description`` may span several lines; the others are single lines. Files whose
name starts with ``_`` are internal helpers (such as the label index) and are not
part of the catalog.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib.resources import files

from vexas_kg.errors import QueryError
from vexas_kg.model import CLASS_LISTS, PAGING, class_list, parameter_types

_KEYS = ("title", "description", "question", "param", "example", "growth", "kinds", "blocks", "narrow")
GROWTH = ("fixed", "linear", "pairwise")
_HEADER = re.compile(r"^#\+\s*(?P<key>[a-z]+):\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]*)\s+(?P<type>[a-z-]+)\s+"
    r"(?P<mode>required|optional|default=(?:\"[^\"]*\"|\S+))(?:\s+(?P<many>many))?\s+(?P<description>\S.*)$"
)


@dataclass(frozen=True)
class Parameter:
    """A value a query needs; ``default`` is None when the parameter is required or optional."""

    name: str
    type: str
    default: str | None
    required: bool
    description: str
    many: bool = False
    """Whether the parameter takes several values (one VALUES row each)."""

    @property
    def mode(self) -> str:
        if self.required:
            mode = "required"
        else:
            mode = "optional" if self.default is None else f"default {self.default}"
        return f"{mode}; repeat for several" if self.many else mode


@dataclass(frozen=True)
class NamedQuery:
    """A query of the catalog (or a user's own query file) with its parsed header."""

    name: str
    title: str
    description: str
    question: str
    parameters: tuple[Parameter, ...]
    text: str
    examples: tuple[tuple[tuple[str, str], ...], ...] = ()
    """Runnable examples: each a tuple of (parameter, value) pairs, as `vexas-kg queries` prints them."""
    growth: str = ""
    """How the row count grows with the evidence: fixed, linear or pairwise, then why."""
    kind_lists: tuple[tuple[str, str], ...] = ()
    """``(variable, list)`` per ``#+ kinds:`` line: the variable is bound to the classes of a list of
    kinds of the model (:func:`vexas_kg.model.class_list`), so the query names no kind itself."""
    blocks: tuple[str, str] | None = None
    """``(variable, file)`` of a ``#+ blocks:`` line: the variable bound per run of blocks and the
    internal query listing the blocks in the answer's order (see the module docstring)."""
    narrow: tuple[str, str] | None = None
    """``(variable, file)`` of a ``#+ narrow:`` line: the variable bound, before the query runs, to
    the values the internal query lists (see the module docstring)."""

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def paged(self) -> bool:
        """Whether the query takes the paging parameters ``limit`` and ``offset``."""
        return all(self.parameter(name) is not None for name in PAGING)


def parse_query(text: str, name: str, strict: bool = True) -> NamedQuery:
    """Read a query's header. ``strict`` (the catalog) requires title, description and question;
    a user's query file may have no header at all."""
    fields: dict[str, list[str]] = {key: [] for key in _KEYS}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if not match:
            continue
        key = match.group("key")
        if key not in fields:
            raise QueryError(f"{name}:{number}: unknown header key {key!r}; use one of {', '.join(_KEYS)}")
        fields[key].append(match.group("value"))
    for key in ("title", "question", "growth", "blocks", "narrow"):
        if len(fields[key]) > 1:
            raise QueryError(f"{name}: the header gives {key!r} more than once")
    if strict:
        missing = [key for key in ("title", "description", "question") if not fields[key]]
        if missing:
            raise QueryError(f"{name}: the header lacks {', '.join(missing)}")
    growth = " ".join(fields["growth"])
    if growth and growth_class(growth) not in GROWTH:
        raise QueryError(f"{name}: the growth header starts with one of {', '.join(GROWTH)}, not {growth!r}")
    parameters = tuple(_parameter(value, name) for value in fields["param"])
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise QueryError(f"{name}: a parameter is declared twice ({', '.join(names)})")
    for parameter in parameters:
        if parameter.name in PAGING:
            if parameter.type != PAGING[parameter.name] or parameter.required or parameter.many:
                raise QueryError(f"{name}: the paging parameter {parameter.name!r} is declared as "
                                 f"'{parameter.name} {PAGING[parameter.name]} optional' or with a default")
            continue
        if not re.search(rf"\?{parameter.name}\b", text):
            raise QueryError(f"{name}: parameter {parameter.name!r} is not a variable of the query")
    kind_lists = tuple(_kind_list(value, name, text) for value in fields["kinds"])
    blocks = _blocks(fields["blocks"][0], name, text, names) if fields["blocks"] else None
    narrow = _narrow(fields["narrow"][0], name, text, names) if fields["narrow"] else None
    text = with_kind_filters(text, kind_lists)
    return NamedQuery(
        name=name,
        title=" ".join(fields["title"]),
        description=" ".join(fields["description"]),
        question=" ".join(fields["question"]),
        parameters=parameters,
        text=text,
        examples=tuple(_example(value, name, names) for value in fields["example"]),
        growth=growth,
        kind_lists=kind_lists,
        blocks=blocks,
        narrow=narrow,
    )


def _example(value: str, name: str, names: list[str]) -> tuple[tuple[str, str], ...]:
    """``#+ example: NAME=VALUE; NAME=VALUE`` -- one runnable set of parameter values."""
    pairs = []
    for part in value.split(";"):
        key, sep, given = part.strip().partition("=")
        if not sep or key not in names:
            raise QueryError(f"{name}: the example {value!r} does not give NAME=VALUE for a declared parameter")
        pairs.append((key, given.strip()))
    return tuple(pairs)


def growth_class(growth: str) -> str:
    """The first word of a growth header: fixed, linear or pairwise."""
    return growth.split()[0].rstrip(":;,.") if growth.strip() else ""


def _parameter(value: str, name: str) -> Parameter:
    match = _PARAM.match(value)
    if not match:
        raise QueryError(f"{name}: cannot read the parameter line {value!r}; expected NAME TYPE MODE DESCRIPTION")
    kind = match.group("type")
    types = parameter_types()
    if kind not in types:
        raise QueryError(f"{name}: unknown parameter type {kind!r}; use one of {', '.join(types)}")
    mode = match.group("mode")
    default = None
    if mode.startswith("default="):
        default = mode[len("default="):]
        if default.startswith('"'):
            default = default[1:-1]
    return Parameter(match.group("name"), kind, default, mode == "required", match.group("description"),
                     many=match.group("many") is not None)


def with_kind_filters(text: str, kind_lists: tuple[tuple[str, str], ...]) -> str:
    """``text`` with one ``FILTER (?VAR IN (<class> ...))`` per kind list, opening its WHERE group."""
    if not kind_lists:
        return text
    from vexas_kg.graph.query.sparql_text import where_group_start

    filters = "".join(f"\n  FILTER (?{var} IN ({', '.join(f'<{c}>' for c in class_list(name))}))"
                      for var, name in kind_lists)
    at = where_group_start(text)
    return text[:at] + filters + text[at:]


def _kind_list(value: str, name: str, text: str) -> tuple[str, str]:
    match = re.fullmatch(r"(?P<var>[a-zA-Z][a-zA-Z0-9_]*)\s+(?P<list>[a-z-]+)", value)
    if not match or match["list"] not in CLASS_LISTS:
        raise QueryError(f"{name}: cannot read the kinds line {value!r}; expected VARIABLE LIST with LIST one of "
                         f"{', '.join(CLASS_LISTS)}")
    if not re.search(rf"\?{match['var']}\b", text):
        raise QueryError(f"{name}: kind list variable {match['var']!r} is not a variable of the query")
    return match["var"], match["list"]


def _blocks(value: str, name: str, text: str, names: list[str]) -> tuple[str, str]:
    """``#+ blocks: VAR FILE``: checked here for what the text shows (a paged query, an internal
    file, VAR projected); that evaluating by blocks gives the whole answer's rows is tested."""
    variable, file_name = _variable_and_file(value, name, "blocks")
    if not all(paging in names for paging in PAGING):
        raise QueryError(f"{name}: only a paged query (limit and offset) is evaluated by blocks")
    select = re.search(r"^SELECT\b(?P<head>.*?)\bWHERE\b", text, re.M | re.S)
    if select is None or not re.search(rf"\?{variable}\b", select["head"]):
        raise QueryError(f"{name}: the blocks variable {variable!r} is not projected by the query")
    return variable, file_name


def _narrow(value: str, name: str, text: str, names: list[str]) -> tuple[str, str]:
    """``#+ narrow: VAR FILE``: checked here for what the text shows (an internal file, VAR a
    variable of the query and not a parameter); that the narrowed answer is the whole one is tested."""
    variable, file_name = _variable_and_file(value, name, "narrow")
    if variable in names:
        raise QueryError(f"{name}: the narrowed variable {variable!r} is a parameter")
    if not re.search(rf"\?{variable}\b", text):
        raise QueryError(f"{name}: the narrowed variable {variable!r} is not a variable of the query")
    return variable, file_name


def _variable_and_file(value: str, name: str, key: str) -> tuple[str, str]:
    """A ``#+ KEY: VAR _FILE.rq`` line's variable and internal query file (which must be packaged)."""
    match = re.fullmatch(r"(?P<var>[a-zA-Z][a-zA-Z0-9_]*)\s+(?P<file>_[a-z0-9-]+\.rq)", value)
    if not match:
        raise QueryError(f"{name}: cannot read the {key} line {value!r}; expected VARIABLE _FILE.rq")
    if not files(__name__).joinpath(match["file"]).is_file():
        raise QueryError(f"{name}: the {key} query {match['file']!r} is not a packaged query file")
    return match["var"], match["file"]


_INCLUDE = re.compile(r"^(?P<indent>[ \t]*)#include (?P<name>[a-z][a-z0-9-]*)[ \t]*$", re.M)


@functools.lru_cache(maxsize=None)
def read_query_text(file_name: str) -> str:
    """The text of a packaged ``.rq`` file (named or internal), its ``#include NAME`` lines expanded;
    read once per process (a page or a narrowed query reads its internal query on every call)."""
    path = files(__name__).joinpath(file_name)
    if not path.is_file():
        raise QueryError(f"no packaged query file {file_name!r}")
    return _expand(path.read_text(encoding="utf-8"), (file_name,))


def _expand(text: str, seen: tuple[str, ...]) -> str:
    """Replace each ``#include NAME`` line by the named query's SELECT as a subquery in braces, so
    one query reuses another's rules instead of a copy of them (the including query declares the
    prefixes; the subquery's own parameters stay unbound, so it answers for every value)."""

    def subquery(match: re.Match[str]) -> str:
        name = f"{match.group('name')}.rq"
        if name in seen:
            raise QueryError(f"{seen[0]}: #include {match.group('name')} includes itself")
        included = files(__name__).joinpath(name)
        if not included.is_file():
            raise QueryError(f"{seen[-1]}: #include names no packaged query {match.group('name')!r}")
        body = _expand(included.read_text(encoding="utf-8"), seen + (name,))
        start = re.search(r"^SELECT\b", body, re.M)
        if start is None:
            raise QueryError(f"{name}: an included query must be a SELECT")
        # The included query's ORDER BY means nothing inside another query (and rdflib cannot sort there).
        select = re.sub(r"\nORDER BY[^\n]*\s*$", "\n", body[start.start():])
        lines = [line for line in select.splitlines() if not line.lstrip().startswith("#")]
        indent = match.group("indent")
        return "\n".join([f"{indent}{{"] + [f"{indent}  {line}" if line else "" for line in lines] + [f"{indent}}}"])

    return _INCLUDE.sub(subquery, text)


def catalog() -> dict[str, NamedQuery]:
    """Every named query, by name (the file name without ``.rq``), in name order."""
    names = sorted(p.name for p in files(__name__).iterdir() if p.name.endswith(".rq") and not p.name.startswith("_"))
    return {n[:-3]: parse_query(read_query_text(n), n[:-3]) for n in names}


__all__ = ["NamedQuery", "Parameter", "catalog", "parse_query", "read_query_text"]
