"""A quote shown inside its source paragraph, with the document's citation markers marked.

The source texts are the ones shipped with the package (SHA-256 pinned). A quote is
placed by its offsets only when the text there is exactly the quote the graph holds;
otherwise (a remote store holding other sources) the page shows the quote alone and
says that it could not be placed, rather than highlighting the wrong words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from typing import Mapping, Sequence

from rdflib.term import Identifier

_FILE = re.compile(r"(?P<file>[\w.-]+\.txt)\b")
_DATE = re.compile(r"\b(?P<date>\d{4}-\d{2}(?:-\d{2})?)\b")
Row = Mapping[str, Identifier | None]


@dataclass(frozen=True)
class Piece:
    """A run of paragraph text; ``marker`` is the citation marker's printed label if it is one."""

    text: str
    marker: str = ""


@dataclass
class SourceView:
    """A quote in its paragraph: text before, the quote, text after (each as pieces)."""

    quote: str
    start: int | None
    end: int | None
    document: str
    document_label: str
    file: str
    date: str
    placed: bool
    before: list[Piece] = field(default_factory=list)
    inside: list[Piece] = field(default_factory=list)
    after: list[Piece] = field(default_factory=list)
    paragraph_start: int | None = None
    paragraph_end: int | None = None


def document_facts(detail: str) -> tuple[str, str]:
    """The source file and the date a document row's detail names (either may be empty)."""
    file = _FILE.search(detail)
    date = _DATE.search(detail)
    return (file.group("file") if file else "", date.group("date") if date else "")


class Sources:
    """The shipped source texts by file name."""

    def __init__(self, folder: Traversable) -> None:
        self.texts: dict[str, str] = {}
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".txt"):
                self.texts[entry.name] = entry.read_text(encoding="utf-8")

    def view(self, quote_row: Row, document_row: Row, markers: Sequence[Row]) -> SourceView:
        quote = "" if quote_row.get("label") is None else str(quote_row["label"])
        start, end = _int(quote_row.get("start")), _int(quote_row.get("end"))
        detail = "" if document_row.get("detail") is None else str(document_row["detail"])
        file, date = document_facts(detail)
        view = SourceView(quote, start, end, str(document_row.get("node") or ""),
                          str(document_row.get("label") or ""), file, date, placed=False, inside=[Piece(quote)])
        text = self.texts.get(file)
        if text is None or start is None or end is None or text[start:end] != quote:
            return view
        first = text.rfind("\n\n", 0, start)
        first = 0 if first < 0 else first + 2
        last = text.find("\n\n", end)
        last = len(text) if last < 0 else last
        spans = sorted((s, e, str(m.get("label") or "")) for m in markers
                       if (s := _int(m.get("start"))) is not None and (e := _int(m.get("end"))) is not None
                       and first <= s and e <= last and text[s:e].strip())
        view.placed = True
        view.paragraph_start, view.paragraph_end = first, last
        view.before = _pieces(text, first, start, spans)
        view.inside = _pieces(text, start, end, spans)
        view.after = _pieces(text, end, last, spans)
        return view


def _pieces(text: str, begin: int, finish: int, spans: Sequence[tuple[int, int, str]]) -> list[Piece]:
    """``text[begin:finish]`` cut at the citation markers that lie wholly inside it."""
    pieces: list[Piece] = []
    at = begin
    for s, e, label in spans:
        if s < at or e > finish:
            continue
        if s > at:
            pieces.append(Piece(text[at:s]))
        pieces.append(Piece(text[s:e], label or text[s:e]))
        at = e
    if at < finish:
        pieces.append(Piece(text[at:finish]))
    return pieces


def _int(term: object) -> int | None:
    try:
        return None if term is None else int(str(term))
    except ValueError:
        return None
