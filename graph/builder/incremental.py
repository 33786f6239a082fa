"""The cached build: load only the records that changed, validate only the parts that changed.

``vexas-kg build --incremental`` (or ``--cache DIR``) runs this; plain ``vexas-kg build`` runs
``pipeline.build_and_write``. The steps and checks are those of the full build, in the same order,
so every error is the same:
records are read in file order (a cached record was loaded without error before, from the same
bytes, entity table and code); references, arm overlaps, identifiers and completeness are
checked on the whole build every time; SHACL validation runs per document part (``partition``)
and the report is the union of the parts' results, the same results as the whole graph gives.
Parts not in the cache are validated in ``jobs`` processes (default one). The output files are
written by the same serialiser, so they are byte-identical to a full build's.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from vexas_kg.graph.builder.assemble import Build, Folder, build_graph, load_one, pinned_hashes
from vexas_kg.graph.builder.cache import CACHE_FOLDER, BuildCache, code_fingerprint
from vexas_kg.graph.builder.partition import Index, Part, plan, shapes_reach, validate_parts
from vexas_kg.graph.builder.pipeline import GRAPH_NAME, BuildResult, require_complete, require_conformance
from vexas_kg.graph.builder.validate import Report, Result, prepare_validation, validate_triples
from vexas_kg.graph.builder.worker import Worker, can_fork
from vexas_kg.graph.store.output import write_set
from vexas_kg.graph.store.serialize import Triple, TurtleWriter, nt_lines, turtle_document
from vexas_kg.loaders.entities import EntityTable
from vexas_kg.loaders.evidence import Loaded
from vexas_kg.loaders.source_text import SourceText

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
    cache = BuildCache(cache_dir if cache_dir is not None else out_dir / CACHE_FOLDER)
    build = cached_build(cache, evidence)
    require_complete(build)
    lines = nt_lines(build.triples)
    index, parts = validation_parts(build, lines)
    require_conformance(cached_validation(index, parts, cache, jobs or 1))
    files = {out_dir / f"{GRAPH_NAME}.ttl": cached_turtle(index, cache),
             out_dir / f"{GRAPH_NAME}.nt": "".join(sorted(lines.values()))}
    written = write_set(files)
    cache.prune()
    return BuildResult(build, written, cache.stats.text(cache.folder))


def cached_build(cache: BuildCache, evidence: Folder | None = None) -> Build:
    """``build_graph`` with each record's loading taken from the cache where its inputs are unchanged."""
    return build_graph(evidence, load=CachedLoader(cache))


class CachedLoader:
    """``load_one`` in front of a cache: a record is loaded only if it, its source or a shared file changed."""

    def __init__(self, cache: BuildCache) -> None:
        self.cache = cache
        self._shared: bytes | None = None
        self._pinned: dict[str, str] | None = None

    def __call__(self, evidence: Folder, record_name: str, entities: EntityTable) -> tuple[Loaded, SourceText]:
        try:
            record = evidence.joinpath("records", record_name).read_bytes()
        except OSError:
            return load_one(evidence, record_name, entities)  # it reports the file as the full build does
        key = hashlib.sha256(self.shared_key(evidence) + record_name.encode() + b"\0" + record).hexdigest()
        entry = self.cache.get("load", key)
        if entry is not None and self.source_unchanged(evidence, entry[0], entry[1]):
            return entry[2], entry[3]
        loaded, source = load_one(evidence, record_name, entities)
        data = evidence.joinpath("sources", source.name).read_bytes()
        self.cache.put("load", key, (source.name, hashlib.sha256(data).hexdigest(), loaded, source))
        return loaded, source

    def shared_key(self, evidence: Folder) -> bytes:
        """The code fingerprint and the shared evidence files, hashed (once per build)."""
        if self._shared is None:
            digest = hashlib.sha256(code_fingerprint())
            for name in SHARED_FILES:
                path = evidence.joinpath(*name.split("/"))
                digest.update(name.encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"absent")
            self._shared = digest.digest()
        return self._shared

    def source_unchanged(self, evidence: Folder, name: str, sha: str) -> bool:
        """Whether the source file still hashes to ``sha`` and SHA256SUMS still pins it so."""
        if self._pinned is None:
            self._pinned = pinned_hashes(evidence)
        try:
            data = evidence.joinpath("sources", name).read_bytes()
        except OSError:
            return False
        return self._pinned.get(name) == sha == hashlib.sha256(data).hexdigest()


def validation_parts(build: Build, lines: dict[Triple, str]) -> tuple[Index, list[Part] | None]:
    """The build's triples indexed by subject, and its validation parts (None: the shapes need the whole graph)."""
    reach = shapes_reach()
    if reach is None:
        return Index(lines, frozenset()), None
    groups = [(doc_id, {s for s, _, _ in build.asserted[doc_id]}) for doc_id in sorted(build.asserted)]
    base = {s for s, _, _ in build.ontology}
    return plan(lines, groups, base, reach, salt=code_fingerprint())


def cached_validation(index: Index, parts: list[Part] | None, cache: BuildCache, jobs: int) -> Report:
    """The whole graph's SHACL report, assembled from cached and freshly validated parts."""
    if parts is None:  # shapes that look across the whole graph: no parts, no cache
        return validate_triples(index.lines)
    results: list[Result] = []
    todo = []
    for part in parts:
        found = cache.get("shacl", part.key)
        if found is None:
            todo.append(part)
        else:
            results.extend(found)
    jobs_input = [(index.triples(part.subjects), part.owned) for part in todo]
    for part, found in zip(todo, run_parts(jobs_input, jobs)):
        cache.put("shacl", part.key, found)
        results.extend(found)
    return Report(not results, sorted(results))


def cached_turtle(index: Index, cache: BuildCache) -> str:
    """The Turtle file, re-using the block of every subject whose triples are unchanged."""
    key = hashlib.sha256(code_fingerprint()).hexdigest()
    known: dict[bytes, str] = cache.get("turtle", key) or {}
    writer = TurtleWriter()
    blocks: dict = {}
    for subject, triples in index.by_subject.items():
        digest = index.digest(subject)
        block = known.get(digest)
        blocks[subject] = block if block is not None else writer.block(triples)
    cache.put("turtle", key, {index.digest(s): block for s, block in blocks.items()})
    return turtle_document(blocks)


def run_parts(jobs_input: list[tuple[list[Triple], frozenset]], jobs: int) -> list[list[Result]]:
    """Validate the parts, spread over ``jobs`` processes (this one included) when there are enough."""
    if jobs <= 1 or len(jobs_input) < PARALLEL_FROM or not can_fork():
        return validate_parts(jobs_input)
    shares: list[list[int]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for i in sorted(range(len(jobs_input)), key=lambda i: -len(jobs_input[i][0])):  # largest first, to the lightest
        lightest = loads.index(min(loads))
        shares[lightest].append(i)
        loads[lightest] += len(jobs_input[i][0])
    workers = []
    try:
        for share in shares[1:]:
            worker: Worker = Worker(validate_parts, prepare=prepare_validation)
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
