"""Read SPARQL text at the level of tokens: where a query's WHERE group opens.

The remote engine binds parameters with a ``VALUES`` block inside that group, and
must not be fooled by strings, IRIs, comments or prefixed names; a scanner that
follows the SPARQL 1.1 terminals is enough for that. Whether a query may run at all
is decided on a real parse (:mod:`vexas_kg.graph.query.readonly`), never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from vexas_kg.errors import QueryError
from vexas_kg.graph.query.engine import Binding

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '''(?:[^'\\]|\\.|'(?!''))*'''
              | "(?:[^"\\\n\r]|\\.)*"
              | '(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][\w\u00B7]+)
  | (?P<pname>(?:[^\W\d_][\w.\-\u00B7]*)?:(?:[\w\-:%\u00B7]|\\.|\.(?=[\w\-:%]))*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One lexical unit: its kind (word, var, iri, string, pname, comment, other) and place."""

    kind: str
    text: str
    start: int
    end: int


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text`` without white space."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "ws":
            yield Token(kind, match.group(), match.start(), match.end())


def where_group_start(query: str) -> int:
    """The offset just after the ``{`` that opens the query's WHERE group pattern."""
    depth_paren = depth_brace = 0
    form = ""
    seen_where = False
    skip_template = False
    for token in tokens(query):
        if token.kind == "word":
            word = token.text.upper()
            if not form and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            elif word == "WHERE" and depth_paren == depth_brace == 0:
                seen_where = True
            continue
        if token.kind != "other":
            continue
        if token.text == "(":
            depth_paren += 1
        elif token.text == ")":
            depth_paren -= 1
        elif token.text == "{":
            if depth_paren == depth_brace == 0 and form:
                if form == "CONSTRUCT" and not seen_where and not skip_template:
                    skip_template = True
                else:
                    return token.end
            depth_brace += 1
        elif token.text == "}":
            depth_brace -= 1
    raise QueryError("cannot find the WHERE group of the query to bind its parameters")


def sparql_term(term: Identifier) -> str:
    """An RDF term written in SPARQL syntax (rdflib's N3 form, which SPARQL shares for IRIs and literals)."""
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be bound as a query parameter")
    if isinstance(term, (URIRef, Literal)):
        return term.n3()
    raise QueryError(f"cannot bind {term!r}: not an IRI or literal")


def with_values(query: str, bindings: Mapping[str, Binding]) -> str:
    """The query with ``VALUES`` opening its WHERE group, binding every parameter, and opening
    again each group nested in it that uses a parameter (see :func:`bound_groups`).

    Single values share one row; a parameter given several values (a tuple) gets its
    own block with one row per value, so the query answers for each of them. Placed
    first in the group, the blocks join with everything after them, so FILTERs,
    OPTIONALs and aggregates see a bound value exactly as they would with rdflib's
    ``initBindings`` or pyoxigraph's ``substitutions``. Repeated at the start of each
    UNION branch and OPTIONAL group that uses a parameter, they let any engine evaluate
    that group from the bound value rather than for every value first: an engine that
    joins the outer block with a UNION by hashing would otherwise evaluate every branch
    over the whole graph.
    """
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"\w+", name):
            raise QueryError(f"not a variable name: {name!r}")
    single = [n for n in names if not isinstance(bindings[n], tuple)]
    blocks = []
    if single:
        blocks.append("VALUES (" + " ".join(f"?{n}" for n in single) + ") { ("
                      + " ".join(sparql_term(bindings[n]) for n in single) + ") }")
    for name in (n for n in names if isinstance(bindings[n], tuple)):
        values = bindings[name]
        if not values:
            raise QueryError(f"parameter {name} is given an empty list of values")
        blocks.append(f"VALUES ?{name} {{ " + " ".join(sparql_term(v) for v in values) + " }")
    block = f" {' '.join(blocks)} "
    at = where_group_start(query)
    places = [at] + bound_groups(query, at, frozenset(names))
    out, last = [], 0
    for place in places:
        out.append(query[last:place])
        out.append(block)
        last = place
    out.append(query[last:])
    return "".join(out)


def bound_groups(query: str, at: int, names: frozenset[str]) -> list[int]:
    """Offsets just inside the ``{`` of each group nested in the WHERE group (opening at ``at``)
    that mentions a variable of ``names``, reached through plain groups, UNION branches and
    OPTIONAL only.

    There the bound values may be joined again without changing the answer: every solution
    of such a group is joined with the outer block already, so joining it with the same rows
    first keeps exactly the solutions that were compatible with them. Not so inside MINUS
    (a shared variable decides what is removed), EXISTS (evaluated by substitution), a
    subquery (its own variables) or a VALUES data block, which are left alone.
    """
    places: list[int] = []
    stack: list[list] = []  # [kind, insert offset, mentions]; kind "group" or "skip"
    previous: Token | None = None
    toks = [t for t in tokens(query[at:]) if t.kind != "comment"]
    for index, token in enumerate(toks):
        if token.kind == "other" and token.text == "{":
            skip = bool(stack and stack[-1][0] == "skip")
            if previous is not None and not skip:
                word = previous.text.upper() if previous.kind == "word" else ""
                if word in ("MINUS", "EXISTS", "SERVICE", "GRAPH") or previous.kind in ("var", "iri", "pname") \
                        or previous.text == ")":
                    skip = True
            following = toks[index + 1] if index + 1 < len(toks) else None
            if following is not None and following.kind == "word" and following.text.upper() == "SELECT":
                skip = True
            stack.append(["skip" if skip else "group", at + token.end, False])
        elif token.kind == "other" and token.text == "}":
            if not stack:
                break  # the end of the WHERE group
            kind, offset, mentions = stack.pop()
            if kind == "group" and mentions:
                places.append(offset)
        elif token.kind == "var" and token.text[1:] in names:
            for frame in stack:
                if frame[0] == "group":
                    frame[2] = True
        previous = token
    return sorted(places)


def bind_lists(query: str, bindings: Mapping[str, Binding]) -> tuple[str, dict[str, Identifier]]:
    """For in-process engines: parameters with several values (tuples) go into VALUES blocks,
    single values stay for ``initBindings`` / ``substitutions``.

    Those take one value per variable, so a list needs VALUES rows; a single value keeps the
    engine's own binding, which rdflib pushes into every pattern (a VALUES block it would
    only join at the end, evaluating the rest unbound first).
    """
    lists = {name: value for name, value in bindings.items() if isinstance(value, tuple)}
    single = {name: value for name, value in bindings.items() if not isinstance(value, tuple)}
    return (with_values(query, lists) if lists else query), single  # type: ignore[return-value]
