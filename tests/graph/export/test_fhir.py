"""FHIR export: an R5 Bundle that the `fhir.resources` R5 models accept, whose references all
resolve inside the Bundle, and whose numbers and quotes are the graph's, exactly."""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle
from rdflib import URIRef
from rdflib.namespace import RDF

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.fhir import BASE
from vexas_kg.graph.export.formats import export
from vexas_kg.ontology.vocab import OA, VX


@pytest.fixture(scope="module")
def bundle(built: Build, tmp_path_factory: pytest.TempPathFactory) -> dict:
    [path] = export(built, "fhir", out_dir=tmp_path_factory.mktemp("fhir"))
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def resources(bundle: dict, kind: str) -> dict[str, dict]:
    return {e["resource"]["url"]: e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind
            and "url" in e["resource"]}


def test_every_resource_parses_with_the_r5_models(bundle: dict) -> None:
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert re.fullmatch(r"[A-Za-z0-9.-]{1,64}", resource["id"])
        assert entry["fullUrl"] == f"{BASE}{resource['resourceType']}/{resource['id']}"
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(urls) == len(set(urls))


def references(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [r for value in node.values() for r in references(value)]
    if isinstance(node, list):
        return [r for value in node for r in references(value)]
    return []


def test_every_reference_resolves_inside_the_bundle(bundle: dict) -> None:
    urls = {e["fullUrl"] for e in bundle["entry"]}
    found = references(bundle)
    assert found
    for reference in found:
        assert BASE + reference in urls, reference


def test_one_evidence_per_figure_with_the_printed_numbers(built: Build, bundle: dict) -> None:
    g = built.graph
    evidence = resources(bundle, "Evidence")
    figures = set(g.subjects(RDF.type, VX.Figure))
    assert set(evidence) == {str(f) for f in figures}
    for figure in figures:
        statistic = evidence[str(figure)]["statistic"][0]
        assert str(statistic["quantity"]["value"]) == str(g.value(figure, VX.value))
        numerator, denominator = g.value(figure, VX.numerator), g.value(figure, VX.denominator)
        assert statistic.get("numberAffected") == (int(numerator) if numerator is not None else None)
        assert statistic.get("sampleSize", {}).get("numberOfParticipants") == (
            int(denominator) if denominator is not None else None)
        estimates = {e["type"]["text"]: e for e in statistic.get("attributeEstimate", [])}
        for name, low, high in (("Confidence interval", VX.ciLower, VX.ciUpper),
                                ("Interquartile range", VX.iqrLower, VX.iqrUpper)):
            if g.value(figure, low) is None:
                assert name not in estimates
            else:
                bounds = estimates[name]["range"]
                assert (str(bounds["low"]["value"]), str(bounds["high"]["value"])) == (
                    str(g.value(figure, low)), str(g.value(figure, high)))
        if g.value(figure, VX.pValue) is not None:
            assert str(estimates["P-value"]["quantity"]["value"]) == str(g.value(figure, VX.pValue))
    printed = {str(s["quantity"]["value"]) for e in evidence.values() for s in e["statistic"]}
    assert "5.20" in printed or not any(str(v) == "5.20" for v in g.objects(None, VX.value))


def test_every_evidence_carries_its_verbatim_quotes(built: Build, bundle: dict) -> None:
    g = built.graph
    citations = {e["resource"]["url"]: f"Citation/{e['resource']['id']}" for e in bundle["entry"]
                 if e["resource"]["resourceType"] == "Citation"}
    for iri, evidence in resources(bundle, "Evidence").items():
        derived = [a for a in evidence["relatedArtifact"] if a["type"] == "derived-from"]
        assert derived, iri
        exact = {}
        for quote in g.objects(next(s for s in g.subjects(RDF.type, VX.Figure) if str(s) == iri), VX.hasQuote):
            for selector in g.objects(quote, OA.hasSelector):
                if g.value(selector, OA.exact) is not None:
                    exact[str(quote)] = (str(g.value(selector, OA.exact)), str(g.value(quote, OA.hasSource)))
        assert {a["document"]["url"] for a in derived} == set(exact)
        for artifact in derived:
            text, document = exact[artifact["document"]["url"]]
            assert artifact["display"] == text
            assert base64.b64decode(artifact["document"]["data"]).decode("utf-8") == text
            assert artifact["resourceReference"]["reference"] == citations[document]


def test_measured_variables_quote_their_response_definitions(built: Build, bundle: dict) -> None:
    g = built.graph
    for iri, evidence in resources(bundle, "Evidence").items():
        figure = next(s for s in g.subjects(RDF.type, VX.Figure) if str(s) == iri)
        [measured] = [v for v in evidence["variableDefinition"]
                      if v["variableRole"]["coding"][0]["code"] == "measuredVariable"]
        definitions = sorted(g.objects(figure, VX.responseDefinition))
        assert len(measured.get("note", [])) == len(definitions)
        for note, definition in zip(measured.get("note", []), definitions):
            for quote in g.objects(definition, VX.hasQuote):
                for selector in g.objects(quote, OA.hasSelector):
                    if g.value(selector, OA.exact) is not None:
                        assert str(g.value(selector, OA.exact)) in note["text"]


def codings(node: object) -> list[dict]:
    """Every ``coding`` entry anywhere below ``node``."""
    if isinstance(node, dict):
        found = [c for c in node.get("coding", []) if isinstance(c, dict)]
        return found + [c for key, value in node.items() if key != "coding" for c in codings(value)]
    if isinstance(node, list):
        return [c for value in node for c in codings(value)]
    return []


def test_no_certainty_rating_is_coded_that_no_source_states(bundle: dict) -> None:
    """No source rates certainty, so nothing an EBM tool reads as a rating may be coded (finding A10):
    every certainty, overall and per domain, is "not assessed", no HL7 certainty-rating code appears
    anywhere, and the design-based starting level is prose attributed to vexas-kg."""
    assert "certainty-rating" not in json.dumps(bundle, default=str)
    assert not [c for c in codings(bundle) if "certainty-rating" in str(c.get("system", ""))]
    evidences = resources(bundle, "Evidence").values()
    assert any(e.get("certainty") for e in evidences)
    for evidence in evidences:
        for certainty in evidence.get("certainty", []):
            assert certainty["rating"] == {"text": "not assessed"}
            assert certainty["description"].startswith("Certainty not assessed")
            assert "not a rating" in certainty["description"] or "No GRADE starting level" in certainty["description"]
            assert all(s["rating"] == {"text": "not assessed"} for s in certainty["subcomponent"])


def test_citations_for_every_document_and_publication(built: Build, bundle: dict) -> None:
    citations = resources(bundle, "Citation")
    expected = set(built.graph.subjects(RDF.type, VX.Document)) | set(built.graph.subjects(RDF.type, VX.Publication))
    assert set(citations) == {str(i) for i in expected}
    variables = resources(bundle, "EvidenceVariable")
    assert {str(a) for a in built.graph.subjects(RDF.type, VX.StudyArm)
            if (None, VX.arm, a) in built.graph} <= set(variables)


def test_decimals_are_written_as_printed(built: Build, tmp_path: Path) -> None:
    [path] = export(built, "fhir", out_dir=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "\\u0000" not in text
    for value in {str(v) for v in built.graph.objects(None, VX.value)}:
        assert re.search(rf'"value": {re.escape(value)}\b', text), value


def test_every_evidence_and_citation_of_a_document_with_an_editorial_status_carries_it(built: Build,
                                                                                       bundle: dict) -> None:
    """Finding A7 (exports): 000 and 001 print "Exercise caution as content is pending human review"; a tool
    reading the FHIR bundle must see that on the document's Citation and on every Evidence quoted from it."""
    g = built.graph
    status = {str(d): str(s) for d, s in g.subject_objects(VX.editorialStatus)}
    assert status
    citations = resources(bundle, "Citation")
    for document, text in status.items():
        assert any(text in n["text"] for n in citations[document]["citedArtifact"]["note"])
    checked = 0
    for url, evidence in resources(bundle, "Evidence").items():
        documents = {str(d) for q in g.objects(URIRef(url), VX.hasQuote) for d in g.objects(q, OA.hasSource)}
        for document in documents & set(status):
            checked += 1
            assert any(status[document] in n["text"] for n in evidence.get("note", [])), url
    assert checked >= 10


def test_a_studys_publication_is_not_presented_as_the_figures_source(bundle: dict) -> None:
    """Findings A42/A35: 004's figures come from a news report of the ACR 2023 abstract, 000's from a Q&A page
    citing a review; both were exported with a bare citation "the study's publication" (Hadjadj 2024,
    Al-Hakim 2025), which an EBM tool shows as the figure's source. Every such citation says the figure was
    read from the source document and not checked against the publication."""
    checked = 0
    for evidence in resources(bundle, "Evidence").values():
        derived = [a for a in evidence["relatedArtifact"] if a["type"] == "derived-from"]
        assert derived
        for artifact in evidence["relatedArtifact"]:
            if artifact["type"] == "citation":
                checked += 1
                assert "not from this publication" in artifact["display"], artifact
                assert "has not been checked against it" in artifact["display"], artifact
    assert checked >= 20
