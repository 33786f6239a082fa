"""The cached build: load only the records that changed, validate only the parts that changed.

``vexas-kg build --incremental`` (or ``--cache DIR``) runs this; plain ``vexas-kg build`` runs
``pipeline.build_and_write``. The steps and checks are those of the full build, in the same order,
so every error is the same; but a rebuild reads no triple of what did not change. Each record
(and the shared layer: vocabulary, entities, publications) is kept as a ``summary.Summary`` (per
subject a head: digest, classes, count; and the small facts the cross-document checks read), its
per-subject details (lines, Turtle block, triples) as an entry read only when needed
(``cache``). This module runs the steps; each has a module of its own:

- ``gather``: the sources' summaries, from the cache where unchanged, and the whole-build checks
  over all documents; the subjects' heads; the validation parts (``partition``);
- ``part_validation``: SHACL per part, cached results where a part is unchanged, the rest in
  ``jobs`` processes (default one); the report is the union of the parts' results;
- ``layout``: the output files joined in subject order from the last build's files and the
  changed subjects' details.

When some record or the shared layer is not in the cache, a worker imports pySHACL and reads the
shapes while the records are gathered, so a rebuild with nothing to validate never imports pySHACL.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from vexas_kg.graph.builder.assemble import packaged_evidence
from vexas_kg.graph.builder.cache import CACHE_FOLDER, BuildCache
from vexas_kg.graph.builder.gather import Gathered, Plan
from vexas_kg.graph.builder.layout import write_outputs
from vexas_kg.graph.builder.part_validation import cached_validation
from vexas_kg.graph.builder.partition import validate_parts
from vexas_kg.graph.builder.pipeline import BuildResult, BuildSummary, require_conformance
from vexas_kg.graph.builder.summary import CLASSES, COUNT, DIGEST
from vexas_kg.graph.builder.validate import prepare_validation
from vexas_kg.graph.builder.worker import Worker


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
    previous = gathered.previous.layout if gathered.previous is not None else None
    written, layout = write_outputs(out_dir, heads, gathered.detail, planner.changed, previous)
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
