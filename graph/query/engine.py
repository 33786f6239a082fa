"""The one interface every SPARQL engine offers: run a SELECT with bound values.

Named queries run unchanged on rdflib (in memory), pyoxigraph (fast embedded store)
and a remote SPARQL 1.1 endpoint; each engine binds parameters its own standard way
(rdflib ``initBindings``, pyoxigraph ``substitutions``, a ``VALUES`` block remotely, and a
``VALUES`` block everywhere for a parameter given several values), never by formatting
text into the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol, Union

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
