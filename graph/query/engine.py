"""The one interface every SPARQL engine offers: run a SELECT with bound values.

Named queries run unchanged on rdflib (in memory), pyoxigraph (fast embedded store)
and a remote SPARQL 1.1 endpoint; each engine binds parameters its own standard way
(rdflib ``initBindings``, pyoxigraph ``substitutions``, a ``VALUES`` block remotely, and a
``VALUES`` block everywhere for a parameter given several values), never by formatting
text into the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Mapping, Protocol, Union

from rdflib.term import Identifier

Binding = Union[Identifier, tuple[Identifier, ...]]
"""One value for a parameter, or several (a ``many`` parameter given more than once)."""


@dataclass(frozen=True)
class ResultTable:
    """SELECT results: the projected variables and one tuple per row (None = unbound)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Identifier | None, ...], ...]


class Engine(Protocol):
    """Anything that can answer a SPARQL SELECT with parameter bindings."""

    def select(self, query: str, bindings: Mapping[str, Binding]) -> ResultTable:
        """Run ``query`` with ``bindings`` (variable name without '?' -> RDF term, or a tuple of terms)."""
        ...


MEMO_FLOOR = 65536
"""The least bound of a :class:`Memo`: enough for every answer of a graph of up to 131,072 triples."""


class Memo(dict):
    """A bounded cache of a pure conversion: ``memo[key]`` is ``convert(key)``, computed once.

    For the result terms of one fixed graph (the same IRIs and literals come back in
    every answer), so a long-lived engine or endpoint worker converts each term once.
    Emptied when it reaches ``limit`` entries, so computed values cannot grow it
    without bound. The limit should follow the graph (:func:`term_limit`): a constant one
    that a large graph's answers pass is emptied during every such answer, and each
    repeated answer converts all its terms again.
    """

    def __init__(self, convert: Callable[[Hashable], object], limit: int = MEMO_FLOOR) -> None:
        super().__init__()
        self.convert = convert
        self.limit = limit

    def __missing__(self, key: Hashable) -> object:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.convert(key)
        return value

    def __call__(self, key: Hashable) -> object:
        return self[key]


def term_limit(triples: int) -> int:
    """The :class:`Memo` bound for the terms of a graph of ``triples`` triples: one entry per two
    triples, at least :data:`MEMO_FLOOR`.

    A graph's distinct subjects and objects are fewer than half its triples (46 % in the packaged
    build, 27 % in the generated ones: most triples bring no new subject), so the terms of any answer
    and the values it computes (CONCAT strings, counts) fit and are converted once, while the cache
    stays proportional to the graph it serves.
    """
    return max(MEMO_FLOOR, triples // 2)
