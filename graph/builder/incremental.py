"""The cached build: load only the records that changed, validate only the parts that changed.

``vexas-kg build --incremental`` (or ``--cache DIR``) runs this; plain ``vexas-kg build`` runs
``pipeline.build_and_write``. The steps and checks are those of the full build, in the same order,
so every error is the same; but a rebuild reads no triple of what did not change. Each record
(and the shared layer: vocabulary, entities, publications) is kept as a ``summary.Summary`` (per
subject a head: digest, classes, count; and the small facts the cross-document checks read), its
per-subject details (lines, Turtle block, triples) as an entry read only when needed. So:

- records are read in file order; one whose bytes, source (and its pin), shared files and code are
  those of a cached summary is not loaded again (it loaded without error before); a summary whose
  references now resolve to other IRIs is re-computed;
- definitions, references, arm overlaps, entities nothing names and uncovered numbers are checked
  over all documents every time, from the summaries (the same functions, fed the same facts);
- the output files are joined in subject order from the last build's files (unchanged subjects,
  copied only if the files still hash to what that build wrote) and the changed subjects' details
  (a subject several sources talk about, or whose identifiers evidence decides, is re-assembled
  by the full build's functions, and kept by a hash of what went into it);
- SHACL validation runs per part (``partition``): a part of the last build that provably comes out
  the same is taken over without walking it, and a part whose content hash is cached is not
  validated again; the report is the union of the parts' results, as the whole graph gives.

Parts not in the cache are validated in ``jobs`` processes (default one); when some record or the
shared layer is not in the cache, a worker imports pySHACL and reads the shapes meanwhile, so a
rebuild with nothing to validate never imports pySHACL.
"""

from __future__ import annotations

import gc
import hashlib
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from vexas_kg.errors import Location, RecordError
from vexas_kg.graph.builder.assemble import (
    Folder, _read, arm_locations, check_needs, gather_provides, load_entity_table, load_one, packaged_evidence,
    pinned_hashes, record_files, resolved,
)
from vexas_kg.graph.builder.cache import CACHE_FOLDER, BuildCache, code_fingerprint
from vexas_kg.graph.builder.completeness import uncovered_in
from vexas_kg.graph.builder.consistency import check_arms_disjoint, require_named
from vexas_kg.graph.builder.partition import Part, Planner, Reach, focus_nodes, shapes_reach, validate_parts
from vexas_kg.graph.builder.pipeline import GRAPH_NAME, BuildResult, BuildSummary, require_conformance, require_covered
from vexas_kg.graph.builder.summary import CLASSES, COUNT, DIGEST, Detail, Head, Summary, merged_piece, summarise
from vexas_kg.graph.builder.validate import Report, Result, prepare_validation
from vexas_kg.graph.builder.worker import Worker, can_fork
from vexas_kg.graph.store.output import write_set
from vexas_kg.graph.store.serialize import turtle_text
from vexas_kg.loaders.entities import EntityTable
from vexas_kg.loaders.evidence import Loaded
from vexas_kg.loaders.source_text import SourceText
from vexas_kg.model import Triple

SHARED_FILES = ("entities.yaml", "reference/identifiers.tsv", "reference/publications.tsv")
"""Evidence files every record's loading may depend on: a change to one reloads every record."""
PARALLEL_FROM = 8
"""Fewer parts than this to validate run in this process (forking costs more than it saves)."""


def build_and_write_cached(out_dir: Path, evidence: Path | None = None, *, cache_dir: Path | None = None,
                           jobs: int | None = None) -> BuildResult:
    """A checked build written like ``build_and_write``'s, re-using what ``cache_dir`` holds.

    ``jobs`` processes validate the parts not in the cache (default one: two were slower than one
    on the 2-core machine of docs/benchmarks.md).
    """
    with gc_paused():
        return _build_and_write_cached(out_dir, evidence, cache_dir, jobs)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block, then restore it as it was.

    Reading the cache creates hundreds of thousands of small objects and no cycles worth
    collecting; the collector's passes over them made unpickling the summaries four times slower.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_and_write_cached(out_dir: Path, evidence: Path | None, cache_dir: Path | None,
                            jobs: int | None) -> BuildResult:
    cache = BuildCache(cache_dir if cache_dir is not None else out_dir / CACHE_FOLDER)
    gathered = Gathered(cache, evidence if evidence is not None else packaged_evidence())
    # something to load, so likely something to validate: a worker imports pySHACL meanwhile
    with Worker(validate_parts, prepare=prepare_validation, fork=gathered.anything_new()) as prepared:
        gathered.check()
        heads = gathered.merged()
        planner, parts = gathered.parts(heads)
        require_conformance(cached_validation(planner, parts, cache, jobs or 1, prepared))
    written, layout = write_outputs(out_dir, heads, gathered.detail, planner.changed, gathered.previous)
    cache.put("plan", gathered.plan_key, Plan(gathered.shared.reach, {p.name: p for p in parts or []},
                                              {s: h[DIGEST] for s, h in heads.items()}, planner.backwards,
                                              gathered.merged_now, layout))
    cache.prune()
    classes: dict[str, int] = {}
    for head in heads.values():
        for name in head[CLASSES]:
            classes[name] = classes.get(name, 0) + 1
    summary = BuildSummary(sum(h[COUNT] for h in heads.values()), len(gathered.documents),
                           dict(sorted(classes.items())))
    walked = f"; walked {planner.walked} of {len(parts)} parts" if parts is not None else ""
    return BuildResult(None, written, cache.stats.text(cache.folder) + walked, summary)


@dataclass
class Layout:
    """Where each subject's text lies in the output files a build wrote (byte offsets), and their hashes."""

    hashes: tuple[bytes, bytes]
    """SHA-256 of the N-Triples and of the Turtle file."""
    spans: dict[str, tuple[int, int, int, int]]
    """Per subject: start and end in the N-Triples file, start and end (blank line included) in the Turtle file."""


def write_outputs(out_dir: Path, heads: dict[str, Head], detail: Callable[[str], Detail], changed: set[str] | None,
                  previous: Plan | None) -> tuple[list[Path], Layout]:
    """Write both files: unchanged subjects' text copied from the last build's files, if they are still
    exactly what it wrote (hashed), the rest from the subjects' details; and where each subject now lies."""
    nt_path, ttl_path = out_dir / f"{GRAPH_NAME}.nt", out_dir / f"{GRAPH_NAME}.ttl"
    old_nt = old_ttl = b""
    spans: dict[str, tuple[int, int, int, int]] = {}
    if previous is not None and previous.layout is not None and changed is not None:
        try:
            old_nt, old_ttl = nt_path.read_bytes(), ttl_path.read_bytes()
        except OSError:
            old_nt = old_ttl = b""
        if (hashlib.sha256(old_nt).digest(), hashlib.sha256(old_ttl).digest()) == previous.layout.hashes:
            spans = previous.layout.spans
    head = turtle_text([]).encode("utf-8")[:-1]  # the prefixes, without the final newline
    nt_parts: list[bytes | memoryview] = []
    ttl_parts: list[bytes | memoryview] = [head]
    new_spans: dict[str, tuple[int, int, int, int]] = {}
    nt_at, ttl_at = 0, len(head)
    nt_view, ttl_view = memoryview(old_nt), memoryview(old_ttl)
    run: list[int] = []  # a stretch of the old files copied as one slice

    def flush() -> None:
        if run:
            nt_parts.append(nt_view[run[0]:run[1]])
            ttl_parts.append(ttl_view[run[2]:run[3]])
            run.clear()

    for subject in sorted(heads):
        span = spans.get(subject) if spans and subject not in changed else None  # type: ignore[operator]
        if span is not None:
            if run and run[1] == span[0] and run[3] == span[2]:
                run[1], run[3] = span[1], span[3]
            else:
                flush()
                run.extend(span)
            nt_len, ttl_len = span[1] - span[0], span[3] - span[2]
        else:
            flush()
            lines, block, _ = detail(subject)
            nt_text, ttl_text = lines.encode("utf-8"), ("\n\n" + block).encode("utf-8")
            nt_parts.append(nt_text)
            ttl_parts.append(ttl_text)
            nt_len, ttl_len = len(nt_text), len(ttl_text)
        new_spans[subject] = (nt_at, nt_at + nt_len, ttl_at, ttl_at + ttl_len)
        nt_at, ttl_at = nt_at + nt_len, ttl_at + ttl_len
    flush()
    ttl_parts.append(b"\n")
    nt, ttl = b"".join(nt_parts), b"".join(ttl_parts)
    written = write_set({ttl_path: ttl, nt_path: nt})
    return written, Layout((hashlib.sha256(nt).digest(), hashlib.sha256(ttl).digest()), new_spans)


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


def cached_validation(planner: Planner, parts: list[Part] | None, cache: BuildCache, jobs: int,
                      prepared: Worker | None = None) -> Report:
    """The whole graph's SHACL report, assembled from cached and freshly validated parts."""
    if parts is None:  # shapes that look across the whole graph: no parts, no cache
        from vexas_kg.graph.builder.validate import validate_triples

        return validate_triples(planner.triples(Part("all", frozenset(), frozenset(planner.pieces))))
    results: list[Result] = []
    todo = []
    for part in parts:
        found = cache.get("shacl", part.key)
        if found is None:
            todo.append(part)
        else:
            results.extend(found)
    jobs_input = [(planner.triples(part), focus_nodes(part)) for part in todo]
    for part, found in zip(todo, run_parts(jobs_input, jobs, prepared) if todo else []):
        cache.put("shacl", part.key, found)
        results.extend(found)
    return Report(not results, sorted(results))


def run_parts(jobs_input: list[tuple[list[Triple], frozenset]], jobs: int,
              prepared: Worker | None = None) -> list[list[Result]]:
    """Validate the parts, spread over ``jobs`` processes (this one included) when there are enough.

    ``prepared`` is a worker started with the build (pySHACL imported, shapes read while the
    records were gathered): with one job it validates everything, with more it takes a share.
    """
    prepared = prepared if prepared is not None and prepared.forked else None
    if jobs <= 1 or len(jobs_input) < PARALLEL_FROM or not can_fork():
        if prepared is not None:
            prepared.send(jobs_input)
            return prepared.result()
        return validate_parts(jobs_input)
    shares: list[list[int]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for i in sorted(range(len(jobs_input)), key=lambda i: -len(jobs_input[i][0])):  # largest first, to the lightest
        lightest = loads.index(min(loads))
        shares[lightest].append(i)
        loads[lightest] += len(jobs_input[i][0])
    workers: list[Worker] = []
    try:
        for share in shares[1:]:
            worker: Worker = prepared if prepared is not None and not workers else \
                Worker(validate_parts, prepare=prepare_validation)
            worker.send([jobs_input[i] for i in share])
            workers.append(worker)
        answers = {i: r for i, r in zip(shares[0], validate_parts([jobs_input[i] for i in shares[0]]))}
        for worker, share in zip(workers, shares[1:]):
            answers.update(zip(share, worker.result()))
    finally:
        for worker in workers:
            worker.stop()
    return [answers[i] for i in range(len(jobs_input))]


def rebuild_timings(evidence: Path) -> dict:
    """For ``benchmarks/scale.py``: full, cold-cache and one-edit incremental builds in this process (seconds)."""
    import shutil
    import tempfile

    from vexas_kg.graph.builder.pipeline import build_and_write

    with tempfile.TemporaryDirectory(prefix="vexas-kg-incr-") as tmp:
        copy = Path(tmp) / "evidence"
        shutil.copytree(evidence, copy)
        out_full, out_cached = Path(tmp) / "full", Path(tmp) / "cached"
        timings: dict[str, float] = {}
        start = time.perf_counter()
        build_and_write(out_full, copy)
        timings["full"] = time.perf_counter() - start
        start = time.perf_counter()
        build_and_write_cached(out_cached, copy)
        timings["cold cache"] = time.perf_counter() - start
        start = time.perf_counter()
        build_and_write_cached(out_cached, copy)
        timings["nothing changed"] = time.perf_counter() - start
        edit_one_record(copy)
        start = time.perf_counter()
        build_and_write_cached(out_cached, copy)
        timings["one record edited"] = time.perf_counter() - start
        build_and_write(out_full, copy)
        same = all((out_full / name).read_bytes() == (out_cached / name).read_bytes()
                   for name in (f"{GRAPH_NAME}.ttl", f"{GRAPH_NAME}.nt"))
        return {**{k: round(v, 2) for k, v in timings.items()}, "identical to a full build": same}


def edit_one_record(evidence: Path) -> Path:
    """A curator's small edit: the first study of the last record with studies gets a longer label (free text)."""
    for record in sorted((evidence / "records").glob("*.yaml"), reverse=True):
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        studies = next((i for i, line in enumerate(lines) if line.startswith("studies:")), None)
        if studies is not None:
            break
    else:
        raise ValueError(f"{evidence}: no record defines a study")
    for i in range(studies, len(lines)):
        match = re.fullmatch(r'(\s+label: )"(.*)"\n', lines[i])
        if match:
            lines[i] = f'{match.group(1)}"{match.group(2)} (revised)"\n'
            break
    else:
        raise ValueError(f"{record}: no study label to edit")
    record.write_text("".join(lines), encoding="utf-8")
    return record
