"""The curated data itself, record by record: quotes are exact, numbers are in their
quotes, nothing printed is left uncovered, sources are untouched, identifiers verified."""

from __future__ import annotations

import csv
import hashlib
from importlib.resources import files
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF, XSD

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.builder.completeness import uncovered_numbers
from vexas_kg.loaders.source_text import numbers_in, normalise
from vexas_kg.ontology import VX
from vexas_kg.ontology.vocab import OA

EVIDENCE = files("vexas_kg.evidence")
SHARED = Path(__file__).resolve().parents[3] / "shared" / "sources"


def source_texts() -> dict[str, str]:
    folder = EVIDENCE.joinpath("sources")
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".txt")}


def pinned_hashes() -> dict[str, str]:
    lines = EVIDENCE.joinpath("sources", "SHA256SUMS").read_text(encoding="ascii").splitlines()
    return {name.lstrip("*"): digest for digest, name in (line.split() for line in lines if line.strip())}


def test_source_texts_are_byte_identical_to_the_originals() -> None:
    """The reference is the checkout's own SHA256SUMS (hashes of the bytes, so an edit, a re-encoding or a
    changed line end fails); a ``shared/`` folder beside the checkout, when there is one, is compared too."""
    pinned = pinned_hashes()
    files_here = sorted(p.name for p in EVIDENCE.joinpath("sources").iterdir() if p.name.endswith(".txt"))
    assert sorted(pinned) == files_here and len(files_here) == 3
    for name in files_here:
        assert hashlib.sha256(EVIDENCE.joinpath("sources", name).read_bytes()).hexdigest() == pinned[name], name
    if SHARED.is_dir():
        for name in files_here:
            assert EVIDENCE.joinpath("sources", name).read_bytes() == (SHARED / name).read_bytes(), name


def test_every_source_has_exactly_one_record(built: Build) -> None:
    recorded = sorted(str(built.graph.value(d, VX.sourceFile)) for d in built.graph.subjects(RDF.type, VX.Document))
    assert recorded == sorted(source_texts())


def test_every_quote_is_the_exact_source_slice(built: Build) -> None:
    texts = source_texts()
    graph = built.graph
    quotes = list(graph.subjects(RDF.type, VX.Quote))
    assert quotes
    for quote in quotes:
        document = graph.value(quote, OA.hasSource)
        text = texts[str(graph.value(document, VX.sourceFile))]
        selectors = list(graph.objects(quote, OA.hasSelector))
        start = next(int(graph.value(s, OA.start)) for s in selectors if graph.value(s, OA.start) is not None)
        end = next(int(graph.value(s, OA.end)) for s in selectors if graph.value(s, OA.end) is not None)
        exact = next(str(graph.value(s, OA.exact)) for s in selectors if graph.value(s, OA.exact) is not None)
        assert text[start:end] == exact, quote
        assert str(quote).endswith(f"/quote/{start}-{end}")


def test_every_figure_number_is_printed_in_its_quotes(built: Build) -> None:
    graph = built.graph
    numeric = [VX.value, VX.numerator, VX.denominator, VX.ciLower, VX.ciUpper, VX.ciLevel, VX.iqrLower,
               VX.iqrUpper, VX.pValue]
    figures = list(graph.subjects(RDF.type, VX.Figure))
    assert figures
    for figure in figures:
        quoted = " ".join(
            normalise(str(graph.value(sel, OA.exact)))
            for q in graph.objects(figure, VX.hasQuote)
            for sel in graph.objects(q, OA.hasSelector)
            if graph.value(sel, OA.exact) is not None
        )
        printed = numbers_in(quoted)
        for prop in numeric:
            for value in graph.objects(figure, prop):
                assert str(value) in printed, (figure, prop, value, quoted)


def test_no_printed_number_slips_through(built: Build) -> None:
    assert uncovered_numbers(built) == []


def test_identifiers_come_only_from_the_reference_table(built: Build) -> None:
    rows = list(csv.DictReader(EVIDENCE.joinpath("reference", "identifiers.tsv").read_text().splitlines(),
                               delimiter="\t"))
    expected = set()
    prefixes = {"MONDO": "MONDO", "HPO": "HP", "ChEBI": "CHEBI", "OMIM": "OMIM", "HGNC": "HGNC",
                "DrugBank": "DRUGBANK", "ATC": "ATC", "Wikidata": "WIKIDATA"}
    for row in rows:
        local = row["id"].split(":", 1)[-1]
        expected.add((row["entity"], f"{prefixes[row['scheme']]}:{local}"))
    from rdflib.namespace import RDFS

    actual = {(str(built.graph.value(s, RDFS.label)), str(o)) for s, o in built.graph.subject_objects(DCTERMS.identifier)}
    # Upadacitinib is named only by a reference title, not as evidence: its rows stay out of the
    # graph (tests/evidence/test_trust.py checks the rule for every entity).
    assert actual <= expected
    assert {label for label, _ in expected - actual} == {"upadacitinib"}


def test_class_level_figures_are_never_copied_onto_drugs(built: Build) -> None:
    """A figure reported for a class keeps a class arm; no drug arm repeats its value and quote."""
    graph = built.graph
    seen: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for figure in graph.subjects(RDF.type, VX.Figure):
        arm = graph.value(figure, VX.arm)
        if arm is None:
            continue
        kinds = {str(graph.value(i, RDF.type)).rsplit("#", 1)[-1] for i in graph.objects(arm, VX.intervention)}
        key = (str(graph.value(figure, VX.value)), tuple(sorted(str(q) for q in graph.objects(figure, VX.hasQuote))))
        seen.setdefault(key, set()).update(kinds)
    mixed = {key: kinds for key, kinds in seen.items() if {"Drug", "DrugClass"} <= kinds}
    assert mixed == {}


def test_document_dates_are_the_printed_dates(built: Build) -> None:
    dates = {str(built.graph.value(d, VX.sourceFile)): built.graph.value(d, DCTERMS.date)
             for d in built.graph.subjects(RDF.type, VX.Document)}
    assert dates["004_6f73882940ad8e77.txt"] == Literal("2023-11-07", datatype=XSD.date)
    assert dates["000_f668854fb4ffb703.txt"] == Literal("2026-01-21", datatype=XSD.date)
    assert dates["001_9631953a13ddad2a.txt"] == Literal("2026-01-21", datatype=XSD.date)
