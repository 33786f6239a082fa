"""Read SPARQL text at the level of tokens: where a query's WHERE group opens.

The remote engine binds parameters with a ``VALUES`` block inside that group, and
must not be fooled by strings, IRIs, comments or prefixed names; a scanner that
follows the SPARQL 1.1 terminals is enough for that. Whether a query may run at all
is decided on a real parse (:mod:`vexas_kg.graph.query.readonly`), never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
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
    for name in names:
        value = bindings[name]
        if isinstance(value, tuple) and not value:
            raise QueryError(f"parameter {name} is given an empty list of values")
    out, last = [], 0
    for place, bound in _places(query, frozenset(names)):
        out.append(query[last:place])
        out.append(_values_block({name: bindings[name] for name in names if name in bound}))
        last = place
    out.append(query[last:])
    return "".join(out)


@lru_cache(maxsize=256)
def _places(query: str, names: frozenset[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Where :func:`with_values` puts its blocks: they depend on the text and the names only, and
    scanning a long query for every subquery it opens is repeated on every call otherwise."""
    at = where_group_start(query)
    return ((at, names), *bound_groups(query, at, names))


def _values_block(bindings: Mapping[str, Binding]) -> str:
    """One VALUES block binding the single values together and each list of values on its own."""
    single = [n for n in bindings if not isinstance(bindings[n], tuple)]
    blocks = []
    if single:
        blocks.append("VALUES (" + " ".join(f"?{n}" for n in single) + ") { ("
                      + " ".join(sparql_term(bindings[n]) for n in single) + ") }")
    for name in (n for n in bindings if isinstance(bindings[n], tuple)):
        values = bindings[name]
        if not values:
            raise QueryError(f"parameter {name} is given an empty list of values")
        blocks.append(f"VALUES ?{name} {{ " + " ".join(sparql_term(v) for v in values) + " }")
    return f" {' '.join(blocks)} "


def bound_groups(query: str, at: int, names: frozenset[str]) -> list[tuple[int, frozenset[str]]]:
    """Offsets just inside the ``{`` of each group nested in the WHERE group (opening at ``at``)
    that mentions a variable of ``names``, reached through plain groups, UNION branches and
    OPTIONAL only, each with the names bound there (all of them); and the opening of the WHERE
    group of each subquery met on that way that projects some of them as plain variables,
    with just those names.

    There the bound values may be joined again without changing the answer: every solution
    of such a group is joined with the outer block already, so joining it with the same rows
    first keeps exactly the solutions that were compatible with them. A subquery's solutions
    are joined with the outer block on the variables it projects, so restricting a projected
    variable inside keeps the same joined solutions, provided the subquery does not cut its
    solutions (no LIMIT or OFFSET) and groups, if at all, by that variable (a plain projected
    variable of a grouped query must be a group key); a variable it does not project is
    another variable and is never bound there; inside such a subquery its groups are opened by the
    same rules. A group that assigns a name itself (``BIND (... AS ?name)``) is not given that name:
    SPARQL forbids binding it before. Not so inside EXISTS (evaluated by substitution) or a VALUES
    data block, which are left alone, as are the groups inside a subquery that is not opened.

    ``MINUS { SELECT ... }`` is opened too, with the names its subquery projects, where the group
    holding it is given them (the WHERE group always is): every solution on the left of the MINUS
    then binds each of those names to a bound value, so a solution on the right with another value
    is compatible with none of them and removes nothing. A plain ``MINUS { ... }`` group is left
    alone: which variables its solutions bind (and so share with the left) is not explicit there, and
    a name added to them could make the MINUS remove solutions it did not.
    """
    places: list[tuple[int, frozenset[str]]] = []
    # [kind, insert offset, mentioned, assigned, MINUS subqueries in it]; kind "group" or "skip"
    stack: list[list] = []
    top_minus: list[tuple[int, frozenset[str]]] = []  # MINUS subqueries of the WHERE group itself
    previous: Token | None = None
    toks = [t for t in tokens(query[at:]) if t.kind != "comment"]
    for index, token in enumerate(toks):
        if token.kind == "other" and token.text == "{":
            skip = bool(stack and stack[-1][0] == "skip")
            word = previous.text.upper() if previous is not None and previous.kind == "word" else ""
            if previous is not None and not skip:
                if word in ("MINUS", "EXISTS", "SERVICE", "GRAPH") or previous.kind in ("var", "iri", "pname") \
                        or previous.text == ")":
                    skip = True
            following = toks[index + 1] if index + 1 < len(toks) else None
            if following is not None and following.kind == "word" and following.text.upper() == "SELECT":
                subquery = _subquery_place(toks, index + 1, names)
                if subquery is not None and not skip:
                    places.extend(_opened(query, at + subquery[0], subquery[1]))
                elif subquery is not None and word == "MINUS" and not (stack and stack[-1][0] == "skip"):
                    (stack[-1][4] if stack else top_minus).append((at + subquery[0], subquery[1]))
                skip = True
            stack.append(["skip" if skip else "group", at + token.end, False, set(), []])
        elif token.kind == "other" and token.text == "}":
            if not stack:
                break  # the end of the WHERE group
            kind, offset, mentions, assigned, minus = stack.pop()
            if kind == "group" and mentions and names - assigned:
                places.append((offset, names - assigned))
                for place, bound in minus:
                    if bound & (names - assigned):
                        places.extend(_opened(query, place, bound & (names - assigned)))
        elif token.kind == "var" and token.text[1:] in names:
            for frame in stack:
                if frame[0] == "group":
                    frame[2] = True
            if previous is not None and previous.kind == "word" and previous.text.upper() == "AS" and stack:
                stack[-1][3].add(token.text[1:])  # BIND (... AS ?name): a value may not be bound before it
        previous = token
    for place, bound in top_minus:
        places.extend(_opened(query, place, bound))
    return sorted(places)


def _opened(query: str, at: int, names: frozenset[str]) -> list[tuple[int, frozenset[str]]]:
    """A subquery's WHERE group (opening at ``at``) given ``names``, and the groups inside it
    :func:`bound_groups` gives them: within the subquery the same reasoning holds again."""
    return [(at, names)] + bound_groups(query, at, names)


def _subquery_place(toks: list[Token], select: int, names: frozenset[str]) -> tuple[int, frozenset[str]] | None:
    """For the subquery whose SELECT is ``toks[select]``: the offset (in the scanned text) just inside
    its WHERE group and the ``names`` it projects as plain variables, or None if it projects none
    of them, projects ``*`` or cuts its solutions (LIMIT, OFFSET)."""
    projected: set[str] = set()
    depth = 0
    index = select + 1
    while index < len(toks):
        token = toks[index]
        if token.kind == "other" and token.text in "()":
            depth += 1 if token.text == "(" else -1
        elif token.kind == "other" and token.text == "*" and depth == 0:
            return None
        elif token.kind == "var" and depth == 0:
            projected.add(token.text[1:])
        elif token.kind == "other" and token.text == "{" and depth == 0:
            break
        index += 1
    else:
        return None
    opening, braces = toks[index], 0
    for token in toks[index:]:
        if token.kind == "other" and token.text == "{":
            braces += 1
        elif token.kind == "other" and token.text == "}":
            braces -= 1
            if braces < 0:
                break  # the brace that closes the subquery
        elif braces == 0 and token.kind == "word" and token.text.upper() in ("LIMIT", "OFFSET"):
            return None
    bound = frozenset(projected & names)
    return (opening.end, bound) if bound else None


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
