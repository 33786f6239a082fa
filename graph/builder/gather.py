"""The summaries of one cached build's sources, read from the cache where unchanged, checked as a full build checks.

Records are read in file order; one whose bytes, source (and its pin), shared files and code are
those of a cached ``summary.Summary`` is not loaded again (it loaded without error before); a
summary whose references now resolve to other IRIs is re-computed. Definitions, references, arm
overlaps, entities nothing names and uncovered numbers are checked over all documents every time,
from the summaries (the same functions, fed the same facts). A subject several sources talk about,
or whose identifiers evidence decides, is re-assembled by the full build's functions and kept by a
hash of what went into it. The validation parts are cut from the summaries (``partition``), taking
over the last build's ``Plan`` where it provably still holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from vexas_kg.errors import Location, RecordError
from vexas_kg.graph.builder.assemble import (
    Folder, _read, arm_locations, check_needs, gather_provides, load_entity_table, load_one, pinned_hashes,
    record_files, resolved,
)
from vexas_kg.graph.builder.cache import BuildCache, code_fingerprint
from vexas_kg.graph.builder.completeness import uncovered_in
from vexas_kg.graph.builder.consistency import check_arms_disjoint, require_named
from vexas_kg.graph.builder.layout import Layout
from vexas_kg.graph.builder.partition import Part, Planner, Reach, shapes_reach
from vexas_kg.graph.builder.pipeline import require_covered
from vexas_kg.graph.builder.summary import DIGEST, Detail, Head, Summary, merged_piece, summarise
from vexas_kg.loaders.entities import EntityTable
from vexas_kg.loaders.evidence import Loaded
from vexas_kg.loaders.source_text import SourceText

SHARED_FILES = ("entities.yaml", "reference/identifiers.tsv", "reference/publications.tsv")
"""Evidence files every record's loading may depend on: a change to one reloads every record."""


@dataclass
class Plan:
    """The last build's validation parts, and the subjects' digests and backward links they were cut from."""

    reach: Reach | None
    parts: dict[str, Part]
    digests: dict[str, bytes]
    backwards: dict[str, set[str]]
    merged: dict[str, tuple[bytes, tuple[Head, Detail] | None]]
    """Subjects re-assembled from several sources: a hash of what went in, and what came out."""
    layout: Layout | None


class Gathered:
    """The summaries of one build's sources, checked as a full build checks its records."""

    def __init__(self, cache: BuildCache, evidence: Folder) -> None:
        self.cache, self.evidence = cache, evidence
        self._entities: EntityTable | None = None
        self._pinned: dict[str, str] | None = None
        self.shared_key = self._shared_key()
        self.plan_key = hashlib.sha256(b"plan\0" + code_fingerprint()).hexdigest()
        self._details: dict[str, dict[str, Detail]] = {}
        self._origin: dict[str, Summary] = {}
        self.merged_now: dict[str, tuple[bytes, tuple[Head, Detail] | None]] = {}
        self.previous: Plan | None = None

    def anything_new(self) -> bool:
        """Whether the shared layer or some record has no cache entry (read before any is)."""
        try:
            names = record_files(self.evidence)
        except OSError:
            return True
        keys = [self._record_key(name)[1] for name in names]
        return not self.cache.has("shared", self.shared_key.hex()) or not all(self.cache.has("load", k) for k in keys)

    def check(self) -> None:
        """Read every source (from the cache where unchanged) and run the whole-build checks."""
        self.shared = self._shared_summary()
        self.documents = self._documents()
        self._check_entities()
        require_covered([u for doc in self.documents for u in doc.uncovered])

    # -- the shared layer ------------------------------------------------------------------------
    def _shared_key(self) -> bytes:
        """The code fingerprint and the shared evidence files, hashed."""
        digest = hashlib.sha256(code_fingerprint())
        for name in SHARED_FILES:
            path = self.evidence.joinpath(*name.split("/"))
            digest.update(name.encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"absent")
        return digest.digest()

    def entities(self) -> EntityTable:
        if self._entities is None:
            self._entities = load_entity_table(self.evidence)
        return self._entities

    def _shared_summary(self) -> Summary:
        """Vocabulary, entities and publications (read in the full build's order when not cached)."""
        key = self.shared_key.hex()
        found = self.cache.get("shared", key)
        if found is not None:
            found.key = key
            return found
        return self._compute_shared()

    def _compute_shared(self) -> Summary:
        from vexas_kg.graph.store.oxigraph import parse_turtle
        from vexas_kg.loaders.publications import load_publications
        from vexas_kg.ontology import read_text

        entities = self.entities()
        pub_tsv, pub_name = _read(self.evidence, "reference", "publications.tsv")
        publications, pub_triples = load_publications(pub_tsv, pub_name)
        ontology = parse_turtle(read_text("vexas.ttl"))
        reach = shapes_reach()
        summary, details = summarise("", set(ontology) | set(entities.triples) | set(pub_triples),
                                     reach.inverse if reach else frozenset())
        summary.publications, summary.reach = (publications, pub_name), reach
        summary.base = frozenset(s.n3() for s in ontology.subjects())
        summary.key = self.shared_key.hex()
        self.cache.put("shared", summary.key, summary)
        self._keep_details(summary, details)
        return summary

    def _keep_details(self, summary: Summary, details: dict[str, Detail]) -> None:
        self._details[summary.key] = details
        self.cache.put("detail", summary.key, details)

    def details(self, source: Summary) -> dict[str, Detail]:
        """A source's per-subject details: from memory, the cache, or (damaged or missing) its record again."""
        found = self._details.get(source.key)
        if found is None:
            found = self.cache.get("detail", source.key)
            if found is None:
                if not source.doc_id:
                    return self._details[self._compute_shared().key]
                loaded, text = load_one(self.evidence, source.record, self.entities())
                self._keep_details(*self._summarise(loaded, text, self.provides, source.key))
                return self._details[source.key]
            self._details[source.key] = found
        return found

    def detail(self, subject: str) -> Detail:
        """One subject's details in the whole build (re-assembled where several sources meet)."""
        merged = self.merged_now.get(subject)
        if merged is not None and merged[1] is not None:
            return merged[1][1]
        return self.details(self._origin[subject])[subject]

    # -- the records -----------------------------------------------------------------------------
    def _documents(self) -> list[Summary]:
        """Every record's summary, in document id order, after the full build's record checks."""
        by_id: dict[str, tuple[Summary | None, Loaded | None, SourceText | None, str, str]] = {}
        for record_name in record_files(self.evidence):
            summary, loaded, source, key = self._record(record_name)
            doc_id = summary.doc_id if summary is not None else loaded.doc_id  # type: ignore[union-attr]
            if doc_id in by_id:
                raise RecordError(f"document id {doc_id!r} is already used by records/{by_id[doc_id][3]}",
                                  Location(f"records/{record_name}", 0, "document.id"))
            by_id[doc_id] = (summary, loaded, source, record_name, key)
        ordered = [by_id[doc_id] for doc_id in sorted(by_id)]
        self.record_names = {doc_id: entry[3] for doc_id, entry in by_id.items()}
        heads = [summary if summary is not None else loaded for summary, loaded, *_ in ordered]
        provides = gather_provides(heads, *self.shared.publications)  # type: ignore[arg-type]
        check_needs(heads, provides)  # type: ignore[arg-type]
        self.provides = provides
        out = []
        for summary, loaded, source, record_name, key in ordered:
            if summary is not None and any(provides.get(ref, (None,))[0] != iri for ref, iri in summary.references.items()):
                self.cache.stats.recount("load")  # what it references is now defined elsewhere: load it again
                loaded, source = load_one(self.evidence, record_name, self.entities())
                summary = None
            if summary is None:
                summary, details = self._summarise(loaded, source, provides, key)  # type: ignore[arg-type]
                self._keep_details(summary, details)
            summary.key = key
            out.append(summary)
        check_arms_disjoint([t for s in [self.shared, *out] for t in s.arms], arm_locations(provides))
        return out

    def _record(self, record_name: str) -> tuple[Summary | None, Loaded | None, SourceText | None, str]:
        """The cached summary of a record (if its inputs are unchanged), else the record loaded."""
        data, key = self._record_key(record_name)
        if data is not None:
            summary = self.cache.get("load", key)
            if summary is not None and self._source_unchanged(*summary.source):
                return summary, None, None, key
        loaded, source = load_one(self.evidence, record_name, self.entities())  # reports errors as a full build does
        return None, loaded, source, key

    def _record_key(self, record_name: str) -> tuple[bytes | None, str]:
        """The record's bytes (None if unreadable) and its cache key."""
        try:
            data = self.evidence.joinpath("records", record_name).read_bytes()
        except OSError:
            data = None
        return data, hashlib.sha256(self.shared_key + record_name.encode() + b"\0" + (data or b"")).hexdigest()

    def _source_unchanged(self, name: str, sha: str) -> bool:
        """Whether the source file still hashes to ``sha`` and SHA256SUMS still pins it so."""
        if self._pinned is None:
            self._pinned = pinned_hashes(self.evidence)
        try:
            data = self.evidence.joinpath("sources", name).read_bytes()
        except OSError:
            return False
        return self._pinned.get(name) == sha == hashlib.sha256(data).hexdigest()

    def _summarise(self, loaded: Loaded, source: SourceText, provides: dict, key: str) -> tuple[Summary, dict[str, Detail]]:
        """A loaded record's summary (stored under ``key``) and details."""
        reach = self.shared.reach
        summary, details = summarise(loaded.doc_id, resolved(loaded.triples, provides),
                                     reach.inverse if reach else frozenset())
        summary.key, summary.record = key, self.record_names[loaded.doc_id]
        summary.provides, summary.needs = loaded.provides, loaded.needs
        summary.references = {(x[0], x[1]): provides[(x[0], x[1])][0]
                              for t in loaded.triples for x in (t[0], t[2]) if isinstance(x, tuple)}
        summary.uncovered = uncovered_in(loaded, source.text)
        data = self.evidence.joinpath("sources", source.name).read_bytes()
        summary.source = (source.name, hashlib.sha256(data).hexdigest())
        self.cache.put("load", key, summary)
        return summary, details

    # -- the whole build -------------------------------------------------------------------------
    def _check_entities(self) -> None:
        """Entities nothing names fail; ``self.evidence_named`` are those evidence names (they keep identifiers)."""
        sources = [self.shared, *self.documents]
        entities = frozenset().union(*(s.entities for s in sources))
        key = hashlib.sha256("\n".join(sorted(e.n3() for e in entities)).encode("utf-8")).digest()
        named: set = set()
        evidence: set = set()
        for source in sources:
            by_any, by_evidence, changed = source.named(entities, key, lambda: self.details(source))
            named |= by_any
            evidence |= by_evidence
            if changed:
                self.cache.put("load" if source.doc_id else "shared", source.key, source)
        require_named(set(entities), named)
        self.evidence_named = frozenset(e.n3() for e in evidence)

    def merged(self) -> dict[str, Head]:
        """Every subject's head in the whole build (re-assembled where several sources or identifiers meet).

        A re-assembled subject is taken from the last build's plan when what went into it is the same.
        """
        found = self.cache.get("plan", self.plan_key)
        self.previous = found if found is not None and found.reach == self.shared.reach else None
        heads: dict[str, Head] = {}
        origin = self._origin
        several: dict[str, list[Summary]] = {}
        redo: set[str] = set()
        for source in [self.shared, *self.documents]:
            for subject, head in source.heads.items():
                first = origin.setdefault(subject, source)
                if first is source:
                    heads[subject] = head
                else:
                    several.setdefault(subject, [first]).append(source)
            redo |= source.identified
        known = self.previous.merged if self.previous is not None else {}
        for subject in sorted(redo | set(several)):
            sources = several.get(subject, [origin[subject]])
            drop = subject not in self.evidence_named
            digest = hashlib.sha256(b"drop" if drop else b"keep")
            for source in sources:
                digest.update(source.heads[subject][DIGEST])
            key = digest.digest()
            old = known.get(subject)
            piece = old[1] if old is not None and old[0] == key else \
                merged_piece(subject, [self.details(source)[subject] for source in sources], drop)
            self.merged_now[subject] = (key, piece)
            if piece is None:
                del heads[subject]
            else:
                heads[subject] = piece[0]
        return heads

    def parts(self, heads: dict[str, Head]) -> tuple[Planner, list[Part] | None]:
        """The validation parts (None: the shapes need the whole graph), taking over the last build's where valid."""
        reach: Reach | None = self.shared.reach
        backwards: dict[str, set[str]] = {}
        for source in [self.shared, *self.documents]:
            for o, subjects in source.inverse.items():
                backwards.setdefault(o, set()).update(subjects)
        planner = Planner(heads, self.detail, self.shared.base, backwards, reach or Reach(0, frozenset()),
                          salt=code_fingerprint())
        previous = self.previous
        if previous is not None:
            planner.compare(previous.digests, previous.backwards)
        if reach is None:
            return planner, None
        groups = [(doc.doc_id, doc.heads.keys()) for doc in self.documents]
        return planner, planner.plan(groups, previous.parts if previous is not None else None)
