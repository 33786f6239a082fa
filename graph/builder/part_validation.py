"""The whole graph's SHACL report from validation parts: cached results where a part is unchanged, the rest validated.

A part whose key (``partition``: its triples and owned nodes) has a ``shacl`` cache entry is not
validated again. The others are validated in this process, in the worker the build started while it
gathered the records (pySHACL imported, shapes read), or spread over ``jobs`` processes when there
are enough of them to pay for the forks. The report is the union of the parts' results, sorted, as
the whole graph gives.
"""

from __future__ import annotations

from vexas_kg.graph.builder.cache import BuildCache
from vexas_kg.graph.builder.partition import Part, Planner, focus_nodes, validate_parts
from vexas_kg.graph.builder.validate import Report, Result, prepare_validation
from vexas_kg.graph.builder.worker import Worker, can_fork
from vexas_kg.model import Triple

PARALLEL_FROM = 8
"""Fewer parts than this to validate run in this process (forking costs more than it saves)."""


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
