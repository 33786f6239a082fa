"""Decide on a parsed query whether vexas-kg may run it: read-only, one local graph, never the network.

Both in-process engines (and so the endpoint, which runs pyoxigraph) would follow
``SERVICE`` to any URL, and rdflib also loads ``FROM``/``FROM NAMED`` IRIs from the
web. The decision is taken on the parse tree of rdflib's SPARQL 1.1 parser, which
applies codepoint escapes, reads keywords case-insensitively and skips comments as the
grammar says, so no spelling of ``SERVICE`` (``service``, ``\\u0053ERVICE``,
``SERVICE:x`` after ``PREFIX :``, inside a subquery, ``EXISTS``, ``MINUS`` or
``OPTIONAL``) hides from it. A text rdflib cannot parse as a query is refused too:
as an update (``LOAD``, ``INSERT`` ...) if it parses as one, else as a syntax error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyparsing import ParseResults
from rdflib.plugins.sparql.parserutils import CompValue

from vexas_kg.errors import QueryError

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


class Refused(QueryError):
    """A query vexas-kg will not run; ``status`` is the HTTP status the endpoint answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Checked:
    """A query that may run: its text (exactly as checked) and its form (SELECT, ASK, CONSTRUCT, DESCRIBE)."""

    text: str
    form: str


def check_query(text: str) -> Checked:
    """The query if vexas-kg may run it, else :class:`Refused` saying why."""
    return _check(text)


@lru_cache(maxsize=2048)
def _check(text: str) -> Checked:
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(text)
    except Exception as query_error:  # pyparsing raises ParseException and, on odd input, others
        try:
            parseUpdate(text)
        except Exception:
            raise Refused(f"the query does not parse: {_first_line(query_error)}") from None
        raise Refused("updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD) are refused: "
                      "this endpoint is read-only", 403) from None
    form = ""
    for node in _walk(tree):
        name = getattr(node, "name", "")
        if name == "ServiceGraphPattern":
            raise Refused("SERVICE is refused: queries run by vexas-kg never reach the network", 403)
        if name == "DatasetClause":
            raise Refused("FROM and FROM NAMED are refused: vexas-kg answers from its one local graph and never "
                          "loads a graph from elsewhere", 403)
        if not form and name in FORMS:
            form = FORMS[name]
    if not form:
        raise Refused("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return Checked(text, form)


def _walk(node: object):
    """Every CompValue in the parse tree, depth first (iterative: deep nesting cannot overflow the stack)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            yield current
            stack.extend(current.values())
        elif isinstance(current, (ParseResults, list, tuple)):
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.values())


def _first_line(exc: BaseException) -> str:
    return (" ".join(str(exc).split()) or type(exc).__name__)[:300]
