"""Content negotiation for the SPARQL 1.1 Protocol: which media type answers which query form."""

from __future__ import annotations

RESULTS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
"""SELECT and ASK answers, the first being the default."""
GRAPHS = ("text/turtle", "application/n-triples", "application/ld+json")
"""CONSTRUCT and DESCRIBE answers (and the service description), the first being the default."""
ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml",
           "text/xml": "application/sparql-results+xml", "text/plain": "application/n-triples",
           "application/x-turtle": "text/turtle", "text/tsv": "text/tab-separated-values"}
CHARSET = {"text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples", "text/html",
           "text/plain"}


class NotAcceptable(Exception):
    """No offered media type fits the Accept header."""


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    """(media range, q, order) for each part of an Accept header; a malformed q counts as 0."""
    ranges = []
    for order, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((ALIASES.get(media, media), q, order))
    return ranges


def choose(accept: str | None, offered: tuple[str, ...]) -> str:
    """The offered media type the client prefers (the first offered when Accept is missing or ``*/*``)."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    chosen, best = None, 0.0
    for candidate in offered:
        matching = [(2 if media == candidate else 1 if media == candidate.split("/")[0] + "/*" else 0, q)
                    for media, q, _ in ranges if media in (candidate, candidate.split("/")[0] + "/*", "*/*")]
        q = max(matching)[1] if matching else 0.0  # the most specific range decides
        if q > best:
            chosen, best = candidate, q
    if chosen is None:
        raise NotAcceptable(f"none of the requested media types ({accept.strip()[:200]}) is offered here; "
                            f"this answer is available as {', '.join(offered)}")
    return chosen


def content_type(media: str) -> str:
    """The Content-Type header for ``media`` (UTF-8 said explicitly where the type allows a charset)."""
    return f"{media}; charset=utf-8" if media in CHARSET else media
