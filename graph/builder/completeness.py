"""Completeness: every number printed in a source is covered by a curated quote or
deliberately left out (page furniture, with a reason). None slips through silently."""

from __future__ import annotations

from dataclasses import dataclass

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.loaders.evidence import Loaded
from vexas_kg.loaders.source_text import NUMBER


@dataclass(frozen=True)
class Uncovered:
    """A number of a source text that no quote and no furniture entry covers."""

    doc_id: str
    start: int
    number: str
    context: str


def uncovered_numbers(build: Build) -> list[Uncovered]:
    """All numbers of all sources outside every quote and furniture span."""
    return [u for loaded in build.records for u in uncovered_in(loaded, build.sources[loaded.doc_id].text)]


def uncovered_in(loaded: Loaded, text: str) -> list[Uncovered]:
    """The numbers of one record's source ``text`` outside its quotes and furniture."""
    missing: list[Uncovered] = []
    spans = sorted([(s.start, s.end) for s in loaded.covered] + [(s.start, s.end) for s, _ in loaded.furniture])
    for match in NUMBER.finditer(text):
        if not any(start <= match.start() and match.end() <= end for start, end in spans):
            context = " ".join(text[max(0, match.start() - 40) : match.end() + 20].split())
            missing.append(Uncovered(loaded.doc_id, match.start(), match.group(), context))
    return missing
