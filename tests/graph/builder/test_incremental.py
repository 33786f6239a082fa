"""The cached (``--incremental``) build: same bytes and same errors as a full build, parts that add up.

The partitioned validation is checked against pySHACL on the whole graph, on every shape case and
on a synthetic corpus with violations of many kinds; the cache against full builds of edited
copies; damaged, mismatched and unusable caches against what the build must then do.
"""

from __future__ import annotations

import random
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from vexas_kg.cli import main
from vexas_kg.errors import OutputError, ShapeViolation
from vexas_kg.graph.builder.assemble import build_graph
from vexas_kg.graph.builder.cache import CACHE_FOLDER, BuildCache, fingerprinted_files
from vexas_kg.graph.builder.incremental import build_and_write_cached
from vexas_kg.graph.builder.part_validation import cached_validation
from vexas_kg.graph.builder.partition import Planner, focus_nodes, reach_of, shapes_reach, validate_part
from vexas_kg.graph.builder.pipeline import build_and_write, require_conformance
from vexas_kg.graph.builder.summary import backward_links, pieces_of
from vexas_kg.graph.builder.validate import shapes_graph, validate_graph
from vexas_kg.ontology.vocab import VX

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))
from incremental import edit_one_record  # noqa: E402
from synthetic import generate  # noqa: E402

CASES = sorted((Path(__file__).parents[2] / "ontology" / "shapes").glob("*.trig"))
OUTPUTS = ("vexas-kg.ttl", "vexas-kg.nt")

# rdflib's own TriG parser still uses its deprecated ConjunctiveGraph internally (as in tests/ontology/test_shapes.py)
pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning",
    "ignore:Dataset.default_context is deprecated:DeprecationWarning",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic evidence folder of 8 documents (not to be edited: copy it first)."""
    return generate(tmp_path_factory.mktemp("corpus") / "evidence", 8)


@pytest.fixture()
def evidence(corpus: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "evidence"
    shutil.copytree(corpus, copy)
    return copy


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def planned(triples, groups, base) -> tuple[Planner, list]:
    """The incremental build's planner and parts for ``triples`` (groups and base as rdflib subjects)."""
    reach = shapes_reach()
    heads, details = pieces_of(triples)
    planner = Planner(heads, details.__getitem__, {s.n3() for s in base}, backward_links(triples, reach.inverse), reach)
    return planner, planner.plan([(name, {s.n3() for s in subjects}) for name, subjects in groups])


def build_parts(build) -> tuple[Planner, list]:
    groups = [(doc_id, {s for s, _, _ in build.asserted[doc_id]}) for doc_id in sorted(build.asserted)]
    return planned(build.triples, groups, {s for s, _, _ in build.ontology})


def partitioned(graph: Graph, groups, base) -> list:
    planner, parts = planned(set(graph), groups, base)
    results = []
    for part in parts:
        results += validate_part(planner.triples(part), focus_nodes(part))
    return sorted(results)


# -- the parts add up to the whole-graph report ----------------------------------------------------
def test_the_shipped_shapes_can_be_validated_in_parts() -> None:
    reach = shapes_reach()
    assert reach is not None and reach.steps >= 3  # ( vx:study vx:studyDesign vx:evidenceLevel )
    assert reach.inverse == {VX.hasCitationMarker, VX.partOfAlgorithm, VX.hasSubjectLink}


def with_extra(*triples) -> Graph:
    shapes = Graph()
    shapes += shapes_graph()
    for triple in triples:
        shapes.add(triple)
    return shapes


def test_shapes_that_look_across_the_graph_are_not_split() -> None:
    shape, path = URIRef("https://example.org/vexas-kg-test/shape"), BNode()
    assert reach_of(with_extra()) is not None
    assert reach_of(with_extra((shape, RDF.type, SH.NodeShape), (shape, SH.targetObjectsOf, VX.study))) is None
    assert reach_of(with_extra((shape, RDF.type, SH.PropertyShape), (shape, SH.path, path),
                               (path, SH.zeroOrMorePath, VX.study))) is None


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_parts_give_the_whole_graph_report_on_every_shape_case(case: Path) -> None:
    from rdflib import Dataset
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    dataset = Dataset()
    dataset.parse(case, format="trig")
    data = Graph()
    for triple in dataset.graph(DATASET_DEFAULT_GRAPH_ID):
        data.add(triple)
    subjects = sorted(set(data.subjects()), key=lambda n: n.n3())
    base = set(data.subjects(RDFS.subClassOf, None))
    groups = [("even", set(subjects[0::2])), ("odd", set(subjects[1::2]))]  # neighbours land in other parts
    assert partitioned(data, groups, base) == validate_graph(data).results


def test_parts_give_the_whole_graph_report_on_a_corpus_with_many_violations(corpus: Path) -> None:
    build = build_graph(corpus)
    ontology = set(build.ontology)
    rng = random.Random(7)
    triples = set(build.triples)
    own = sorted((t for t in triples if t not in ontology), key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    for triple in rng.sample(own, len(own) // 25):  # required values, inverse links, types, path steps go
        triples.discard(triple)
    for s, p, o in rng.sample(own, 40):  # values of the wrong kind, extra values
        triples.add((s, p, Literal("not a term")) if rng.random() < 0.5 else (s, p, s))
    graph = Graph()
    for t in triples:
        graph.add(t)
    whole = validate_graph(graph).results
    assert len(whole) > 100 and len({r.component for r in whole}) >= 8
    groups = [(doc_id, {s for s, _, _ in build.asserted[doc_id]}) for doc_id in sorted(build.asserted)]
    assert partitioned(graph, groups, {s for s, _, _ in ontology}) == whole


# -- the cached build writes a full build's bytes ---------------------------------------------------
def test_cached_builds_write_what_a_full_build_writes(evidence: Path, tmp_path: Path) -> None:
    full, cached = tmp_path / "full", tmp_path / "cached"
    build_and_write(full, evidence)
    first = build_and_write_cached(cached, evidence, jobs=2)
    assert outputs(cached) == outputs(full)
    assert "reused 0 of 8 loaded records" in first.report()
    again = build_and_write_cached(cached, evidence)
    assert "reused 8 of 8 loaded records, 9 of 9 validation parts" in again.report()
    assert outputs(cached) == outputs(full)

    edit_one_record(evidence)
    edited = build_and_write_cached(cached, evidence)
    shutil.rmtree(full)
    build_and_write(full, evidence)
    assert outputs(cached) == outputs(full)
    assert b"(revised)" in outputs(full)["vexas-kg.nt"]
    assert "reused 7 of 8 loaded records" in edited.report()
    assert "validation parts" in edited.cache_note and "reused 9 of 9" not in edited.cache_note


def test_a_shared_file_change_reloads_every_record(evidence: Path, tmp_path: Path) -> None:
    build_and_write_cached(tmp_path / "out", evidence)
    entities = evidence / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8") + "\n# a curator's note\n", encoding="utf-8")
    result = build_and_write_cached(tmp_path / "out", evidence)
    assert "reused 0 of 8 loaded records" in result.report()
    build_and_write(tmp_path / "full", evidence)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "full")


def test_the_code_fingerprint_covers_vocabulary_shapes_loaders_and_builder() -> None:
    names = set(fingerprinted_files())
    for name in ("vexas_kg.ontology/vexas.ttl", "vexas_kg.ontology/shapes.ttl", "vexas_kg.loaders/evidence.py",
                 "vexas_kg.graph.builder/assemble.py", "vexas_kg.graph.store/serialize.py"):
        assert name in names


def test_damaged_or_mismatched_entries_are_never_used(evidence: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_and_write(tmp_path / "full", evidence)
    build_and_write_cached(out, evidence)
    entries = sorted((out / CACHE_FOLDER).iterdir())
    loads = [e for e in entries if e.name.startswith("load-")]
    parts = [e for e in entries if e.name.startswith("shacl-")]
    flipped = bytearray(loads[0].read_bytes())
    flipped[-5] ^= 0x01
    loads[0].write_bytes(bytes(flipped))  # one bit of the payload
    parts[0].write_bytes(parts[0].read_bytes()[:40])  # truncated
    parts[1].write_bytes(parts[2].read_bytes())  # another key's valid entry under this name
    result = build_and_write_cached(out, evidence)
    assert "3 damaged or mismatched entries ignored and re-computed" in result.report()
    assert "reused 7 of 8 loaded records, 7 of 9 validation parts" in result.report()
    assert outputs(out) == outputs(tmp_path / "full")
    assert "ignored" not in build_and_write_cached(out, evidence).report()  # re-written whole


def test_a_record_error_is_reported_as_by_a_full_build(evidence: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--incremental", "--out", str(tmp_path / "a"),
                                "--evidence", str(evidence)]).exit_code == 0
    record = sorted((evidence / "records").glob("*.yaml"))[3]
    record.write_text(record.read_text(encoding="utf-8").replace("source:", "sauce:", 1), encoding="utf-8")
    full = runner.invoke(main, ["build", "--out", str(tmp_path / "b"), "--evidence", str(evidence)])
    cached = runner.invoke(main, ["build", "--incremental", "--out", str(tmp_path / "a"), "--evidence", str(evidence)])
    assert full.exit_code == cached.exit_code == 1
    assert cached.output == full.output and f"records/{record.name}:" in cached.output


def test_a_shape_violation_is_reported_as_by_a_full_build(corpus: Path, tmp_path: Path) -> None:
    build = build_graph(corpus)
    figure = sorted(s for s, p, o in build.triples if p == RDF.type and o == VX.Figure)[0]
    build.triples -= {t for t in build.triples if t[0] == figure and t[1] == VX.study}
    build.triples.add((figure, VX.value, Literal("many")))
    with pytest.raises(ShapeViolation) as full:
        require_conformance(validate_graph(Graph().__iadd__(build.triples)))
    planner, parts = build_parts(build)
    with pytest.raises(ShapeViolation) as cached:
        require_conformance(cached_validation(planner, parts, BuildCache(tmp_path / "cache"), jobs=1))
    assert str(cached.value) == str(full.value) and cached.value.report == full.value.report
    assert cached.value.exit_code == full.value.exit_code == 1


def full_and_cached(evidence: Path, tmp_path: Path, cached_out: Path):
    """The CLI's full build and cached build of ``evidence``: (full result, cached result)."""
    runner = CliRunner()
    full = runner.invoke(main, ["build", "--out", str(tmp_path / "full"), "--evidence", str(evidence)])
    cached = runner.invoke(main, ["build", "--incremental", "--out", str(cached_out), "--evidence", str(evidence)])
    return full, cached


def assert_same_error(evidence: Path, tmp_path: Path, cached_out: Path, where: str) -> None:
    full, cached = full_and_cached(evidence, tmp_path, cached_out)
    assert full.exit_code == cached.exit_code == 1
    assert cached.output == full.output and where in cached.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def cross_reference(evidence: Path) -> tuple[Path, Path, str]:
    """A record that supports an item of another record: (that other record, the citing record, the item id)."""
    import re

    for record in sorted((evidence / "records").glob("*.yaml")):
        found = re.search(r'supports: \["(g\d+):([^"]+)"\]', record.read_text(encoding="utf-8"))
        if found and found.group(1) != record.stem:
            return evidence / "records" / f"{found.group(1)}.yaml", record, found.group(2)
    raise AssertionError("the corpus has no cross-document reference")


def test_a_definition_removed_from_one_record_fails_at_the_cached_record_that_needs_it(evidence: Path,
                                                                                      tmp_path: Path) -> None:
    out = tmp_path / "cached"
    build_and_write_cached(out, evidence)
    defining, citing, item = cross_reference(evidence)
    edit(defining, f'"{item}"', f'"{item}-renamed"')  # its own references follow; the citing record's do not
    assert_same_error(evidence, tmp_path, out, f"records/{citing.name}:")
    assert "unknown item" in full_and_cached(evidence, tmp_path, out)[1].output


def test_a_second_definition_fails_against_the_cached_first_one(evidence: Path, tmp_path: Path) -> None:
    out = tmp_path / "cached"
    build_and_write_cached(out, evidence)
    edit(evidence / "records" / "g00002.yaml", '"g00002-study-1"', '"g00001-study-1"')
    assert_same_error(evidence, tmp_path, out, "is defined twice (also at records/g00001.yaml:")


def test_a_document_id_taken_by_a_cached_record_fails_as_in_a_full_build(evidence: Path, tmp_path: Path) -> None:
    out = tmp_path / "cached"
    build_and_write_cached(out, evidence)
    edit(evidence / "records" / "g00003.yaml", 'id: "g00003"', 'id: "g00002"')
    assert_same_error(evidence, tmp_path, out, "is already used by records/g00002.yaml")


def test_removed_and_restored_records_and_another_folder_with_the_same_cache(evidence: Path, tmp_path: Path) -> None:
    out = tmp_path / "cached"
    build_and_write_cached(out, evidence)
    last = sorted((evidence / "records").glob("*.yaml"))[-1]
    kept = last.read_bytes()
    last.unlink()  # its parts go; parts that reached into it are walked again
    full, cached = full_and_cached(evidence, tmp_path, out)
    assert full.exit_code == cached.exit_code
    if full.exit_code == 0:
        assert outputs(out) == outputs(tmp_path / "full")
    else:
        assert cached.output == full.output
    last.write_bytes(kept)
    build_and_write_cached(out, evidence)
    build_and_write(tmp_path / "full", evidence)
    assert outputs(out) == outputs(tmp_path / "full")
    other = generate(tmp_path / "other", 5, seed=3)
    build_and_write_cached(out, other)  # the same cache, another evidence base
    build_and_write(tmp_path / "full-other", other)
    assert outputs(out) == outputs(tmp_path / "full-other")


def test_damaged_shared_and_plan_entries_are_re_computed(evidence: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_and_write(tmp_path / "full", evidence)
    build_and_write_cached(out, evidence)
    for entry in (out / CACHE_FOLDER).iterdir():
        if entry.name.startswith(("shared-", "plan-")):
            entry.write_bytes(entry.read_bytes()[:-3] + b"xyz")
    result = build_and_write_cached(out, evidence)
    assert "2 damaged or mismatched entries ignored" in result.report()
    assert outputs(out) == outputs(tmp_path / "full")
    assert "walked 9 of 9 parts" in result.report()  # no plan to take parts over from: all walked again


def test_outputs_changed_since_the_last_build_are_not_copied_from(evidence: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_and_write_cached(out, evidence)
    build_and_write(tmp_path / "full", evidence)
    for name in OUTPUTS:  # a hand edit of the graph files: the next build must not carry it over
        (out / name).write_bytes((out / name).read_bytes().replace(b"<https://w3id.org/vexas-kg/id/", b"<urn:x:", 1))
    edit_one_record(evidence)
    build_and_write_cached(out, evidence)
    build_and_write(tmp_path / "full", evidence)
    assert outputs(out) == outputs(tmp_path / "full")


def test_missing_or_damaged_details_are_re_computed_from_the_record(evidence: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_and_write_cached(out, evidence)
    details = sorted(e for e in (out / CACHE_FOLDER).iterdir() if e.name.startswith("detail-"))
    for entry in details[::2]:
        entry.write_bytes(entry.read_bytes()[:100])
    for entry in details[1::4]:
        entry.unlink()
    for name in OUTPUTS:
        (out / name).unlink()  # nothing to copy from: every subject's details are read
    result = build_and_write_cached(out, evidence)
    build_and_write(tmp_path / "full", evidence)
    assert outputs(out) == outputs(tmp_path / "full")
    assert f"{len(details[::2])} damaged or mismatched entries ignored" in result.report()


def test_a_plan_taken_over_is_the_plan_walked_afresh(corpus: Path) -> None:
    """Random edits of a graph: the parts taken over from the last plan equal the parts planned from scratch."""
    build = build_graph(corpus)
    groups = [(doc_id, {s for s, _, _ in build.asserted[doc_id]}) for doc_id in sorted(build.asserted)]
    named = [(n, {s.n3() for s in g}) for n, g in groups]
    base = {s for s, _, _ in build.ontology}
    ontology = set(build.ontology)
    rng = random.Random(11)
    triples = set(build.triples)
    before, parts = planned(triples, groups, base)
    subjects = sorted({s for s, _, _ in triples if s not in base}, key=str)
    taken_over = 0
    for round_ in range(12):
        own = sorted((t for t in triples if t not in ontology), key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
        edited = set(triples)
        for triple in rng.sample(own, 3):
            edited.discard(triple)  # links, inverse links, types go
        a, b = rng.sample(subjects, 2)
        edited.add((a, rng.choice([VX.hasCitationMarker, VX.partOfAlgorithm, VX.study]), b))  # a new (backward) link
        edited.add((rng.choice(subjects), VX.study, URIRef(f"https://w3id.org/vexas-kg/id/test/new-{round_}")))
        if round_:  # last round's new object (no subject then) becomes a subject
            edited.add((URIRef(f"https://w3id.org/vexas-kg/id/test/new-{round_ - 1}"), RDF.type, VX.Figure))
        after, fresh = planned(edited, groups, base)
        again = Planner(after.pieces, after.detail, {s.n3() for s in base}, after.backwards, after.reach)
        again.compare({s: p[0] for s, p in before.pieces.items()}, before.backwards)
        taken = again.plan(named, {p.name: p for p in parts})
        assert [(p.name, p.owned, p.subjects, p.key) for p in taken] == \
            [(p.name, p.owned, p.subjects, p.key) for p in fresh]
        taken_over += len(taken) - again.walked
        triples, before, parts = edited, again, taken
    assert taken_over > 0


# -- an unusable cache ---------------------------------------------------------------------------
def test_a_cache_path_that_is_a_file_is_refused_and_nothing_is_written(evidence: Path, tmp_path: Path) -> None:
    in_the_way = tmp_path / "cache"
    in_the_way.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--cache", str(in_the_way), "--out", str(tmp_path / "out"),
                                       "--evidence", str(evidence)])
    assert result.exit_code == 1
    assert f"error: the build cache {in_the_way} exists and is not a folder" in result.output
    assert "--no-cache" not in result.output and "--cache" in result.output
    assert not (tmp_path / "out").exists() and in_the_way.read_text(encoding="utf-8") == "not a folder"


def test_a_cache_that_cannot_be_created_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot use the build cache"):
        BuildCache(tmp_path / "file" / "cache")


def test_jobs_without_a_cached_build_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--jobs", "2", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--jobs applies to --incremental builds only" in result.output


def test_parts_are_spread_over_processes_with_the_same_results(corpus: Path, tmp_path: Path) -> None:
    build = build_graph(corpus)
    planner, parts = build_parts(build)
    one = cached_validation(planner, parts, BuildCache(tmp_path / "one"), jobs=1)
    two = cached_validation(planner, parts, BuildCache(tmp_path / "two"), jobs=2)
    assert one == two and Counter(p.name for p in parts)["shared"] == 1
