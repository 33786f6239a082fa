"""A FHIR R5 Evidence-Based Medicine Bundle: what FEvIR-style tools read.

- one ``Evidence`` per figure: statistic type, the printed value as ``quantity``, the
  numerator as ``numberAffected`` and the denominator as ``sampleSize.numberOfParticipants``
  where printed, CI / IQR / p-value as ``attributeEstimate``, the study design, the
  variables (population as described, the arm as exposure, the comparator, the outcome
  with the study's response definition quoted),
  curator notes, and a ``relatedArtifact`` (R5's name for the draft ``relatesTo``) of type
  ``derived-from`` per quote: the verbatim text in ``display`` and, byte-exact, in
  ``document.data``, pointing at the ``Citation`` of the source document;
- certainty rated "not assessed" (overall and every domain that needs a reviewer's
  judgement), with no coded rating: GRADE's starting level by design (the design's
  ``vx:evidenceLevel`` and its ``vx:gradeStartingLevel``) only in the description, as
  vexas-kg's reading of the design, never as a rating the sources do not make;
- ``EvidenceVariable`` per study arm and per outcome (measure at a timepoint);
- ``Citation`` per source document and per publication (title, journal, year, DOI,
  PMID, first author as printed in ``evidence/reference/``).

Resource ids derive from our IRIs (deterministic); every reference is relative
(``Citation/…``) and resolves to an entry's ``fullUrl`` under :data:`BASE`. Decimals are
written exactly as printed (``5.20`` stays ``5.20``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from decimal import Decimal
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.export.provenance import quotes
from vexas_kg.ontology import iris
from vexas_kg.ontology.vocab import BIBO, VX, VXID

BASE = "https://w3id.org/vexas-kg/fhir/"
OURS = "https://w3id.org/vexas-kg/terms/"
STATISTIC_TYPES = "http://terminology.hl7.org/CodeSystem/statistic-type"
ESTIMATE_TYPES = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
VARIABLE_ROLES = "http://terminology.hl7.org/CodeSystem/variable-role"
CERTAINTY_TYPES = "http://terminology.hl7.org/CodeSystem/certainty-type"
UCUM = "http://unitsofmeasure.org"
# our statistic term -> HL7 statistic-type code and display
STATISTICS = {"proportion": ("C44256", "Proportion"), "median": ("C28007", "Median"),
              "risk-ratio": ("C93152", "Relative Risk"), "count": ("C25463", "Count")}
UCUM_UNITS = {"percent": "%", "mg-per-l": "mg/L", "mg-per-day": "mg/d", "g-per-dl": "g/dL", "per-mm3": "/mm3",
              "ml-per-min": "mL/min", "month": "mo", "year": "a"}
DURATION_UNITS = {"Y": ("a", "years"), "M": ("mo", "months"), "W": ("wk", "weeks"), "D": ("d", "days")}
# GRADE's level names (the starting level itself comes from the graph; told in prose, never coded)
GRADE_RATINGS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}
NOT_ASSESSED = (("RiskOfBias", "Risk of bias"), ("Inconsistency", "Inconsistency"), ("Indirectness", "Indirectness"),
                ("Imprecision", "Imprecision"), ("PublicationBias", "Publication bias"))


def fhir_id(iri: URIRef | str) -> str:
    """A FHIR id (``[A-Za-z0-9.-]{1,64}``) from one of our IRIs: its path with ``/`` as ``-``."""
    text = str(iri)
    text = iris.instance_path(text) or text
    ident = re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")
    if len(ident) > 64:
        ident = ident[:47].rstrip("-") + "-" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return ident


def _term(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[-1]


class _Bundle:
    """Collects resources by type and id."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.resources: dict[tuple[str, str], dict] = {}

    def add(self, resource: dict) -> str:
        key = (resource["resourceType"], resource["id"])
        self.resources.setdefault(key, resource)
        return f"{key[0]}/{key[1]}"

    def label(self, node: URIRef) -> str:
        g = self.graph
        return str(g.value(node, SKOS.prefLabel) or g.value(node, RDFS.label) or g.value(node, DCTERMS.title) or node)

    def concept(self, term: URIRef) -> dict:
        """Our controlled term as a CodeableConcept (system = our terms namespace)."""
        return {"coding": [{"system": OURS, "code": _term(term), "display": self.label(term)}], "text": self.label(term)}

    # ------------------------------------------------------------ Citations

    def document_citation(self, document: URIRef) -> str:
        g = self.graph
        title = str(g.value(document, DCTERMS.title))
        form: dict[str, Any] = {"publishedIn": {"title": str(g.value(document, DCTERMS.publisher))}}
        date = g.value(document, DCTERMS.date)
        if date is not None:
            form["articleDate"] = f"{date}"
        artifact = {"title": [{"text": title}], "publicationForm": [form],
                    "identifier": [{"system": "urn:ietf:rfc:3986", "value": str(document)}],
                    "note": [{"text": f"Shipped as {g.value(document, VX.sourceFile)}, "
                                      f"SHA-256 {g.value(document, VX.sha256)}."}]}
        for status in sorted(str(s) for s in g.objects(document, VX.editorialStatus)):
            artifact["note"].append({"text": f"Editorial status as printed by the document: {status}."})
        return self.add({"resourceType": "Citation", "id": fhir_id(document), "url": str(document),
                         "status": "active", "title": f"Source document: {title}", "citedArtifact": artifact})

    def publication_citation(self, publication: URIRef) -> str:
        g = self.graph
        artifact: dict[str, Any] = {"identifier": [{"system": "urn:ietf:rfc:3986", "value": str(publication)}]}
        for doi in sorted(g.objects(publication, BIBO.doi)):
            artifact["identifier"].append({"system": "https://doi.org", "value": str(doi)})
        for pmid in sorted(g.objects(publication, BIBO.pmid)):
            artifact["identifier"].append({"system": "https://pubmed.ncbi.nlm.nih.gov", "value": str(pmid)})
        title = g.value(publication, DCTERMS.title)
        if title is not None:
            artifact["title"] = [{"text": str(title)}]
        form: dict[str, Any] = {}
        container = g.value(publication, VX.container)
        if container is not None:
            form["publishedIn"] = {"title": str(container)}
        year = g.value(publication, VX.year)
        if year is not None:
            form["publicationDateText"] = str(year)
        pages = g.value(publication, VX.volumePages)
        if pages is not None:
            form["pageString"] = str(pages)
        if form:
            artifact["publicationForm"] = [form]
        author = g.value(publication, VX.firstAuthor)
        if author is not None:
            artifact["contributorship"] = {"summary": [{"value": f"{author} (first author)"}]}
        status = g.value(publication, VX.verificationStatus)
        if status is not None:
            artifact["note"] = [{"text": f"Bibliographic facts: {status}."}]
        return self.add({"resourceType": "Citation", "id": fhir_id(publication), "url": str(publication),
                         "status": "active", "title": f"Publication: {title or self.label(publication)}",
                         "citedArtifact": artifact})

    # ----------------------------------------------------- EvidenceVariables

    def arm_variable(self, arm: URIRef) -> str:
        g = self.graph
        characteristics = [{"description": self.label(i), "definitionCodeableConcept": {
            "coding": [{"system": str(VXID), "code": iris.instance_path(i), "display": self.label(i)}],
            "text": self.label(i)}} for i in sorted(g.objects(arm, VX.intervention))]
        resource = {"resourceType": "EvidenceVariable", "id": fhir_id(arm), "url": str(arm), "status": "active",
                    "title": f"{self.label(g.value(arm, VX.study))}: arm {self.label(arm)}", "actual": True}
        if characteristics:
            resource["characteristic"] = characteristics
        return self.add(resource)

    def outcome_variable(self, figure: URIRef) -> str:
        g = self.graph
        measure = g.value(figure, VX.measure)
        timepoint = g.value(figure, VX.timepoint)
        timepoint_label = g.value(figure, VX.timepointLabel)
        when: dict[str, Any] | None = None
        suffix, title = "", self.label(measure)
        if timepoint is not None:
            suffix = f"-{str(timepoint).lower()}"
            when = {"description": str(timepoint)}
            match = re.fullmatch(r"P(\d+)([YMWD])", str(timepoint))
            if match:
                code, unit = DURATION_UNITS[match.group(2)]
                when["quantity"] = {"value": Decimal(match.group(1)), "unit": unit, "system": UCUM, "code": code}
                title += f" at {match.group(1)} {unit}"
        elif timepoint_label is not None:
            suffix = "-" + re.sub(r"[^a-z0-9]+", "-", str(timepoint_label).lower()).strip("-")
            when = {"description": str(timepoint_label)}
            title += f" {timepoint_label}"
        characteristic: dict[str, Any] = {"description": self.label(measure),
                                          "definitionCodeableConcept": self.concept(measure)}
        if when is not None:
            characteristic["timeFromEvent"] = [when]
        definition = g.value(measure, SKOS.definition)
        resource = {"resourceType": "EvidenceVariable", "id": fhir_id(f"outcome-{_term(measure)}{suffix}"),
                    "status": "active", "title": title, "characteristic": [characteristic]}
        if definition is not None:
            resource["description"] = str(definition)
        return self.add(resource)

    # -------------------------------------------------------------- Evidence

    def evidence(self, figure: URIRef) -> None:
        g = self.graph
        study = g.value(figure, VX.study)
        arm = g.value(figure, VX.arm)
        note = g.value(figure, VX.populationNote)
        if note is not None:
            population = str(note)
        else:
            population = f"the population of {self.label(study)}" if study is not None else "not stated"
        variables = [{"description": population, "variableRole": _role("population")}]
        if arm is not None:
            variables.append({"description": self.label(arm), "variableRole": _role("exposure"),
                              "observed": {"reference": self.arm_variable(arm)}})
        comparator = g.value(figure, VX.comparatorArm)
        if comparator is not None:
            variables.append({"description": self.label(comparator), "variableRole": _role("referenceExposure"),
                              "observed": {"reference": self.arm_variable(comparator)}})
        elif g.value(figure, VX.comparatorLabel) is not None:
            variables.append({"description": str(g.value(figure, VX.comparatorLabel)),
                              "variableRole": _role("referenceExposure")})
        measured: dict[str, Any] = {"description": self.label(g.value(figure, VX.measure)),
                                    "variableRole": _role("measuredVariable"),
                                    "observed": {"reference": self.outcome_variable(figure)}}
        definitions = [{"text": f"Response as defined for {self.label(d)}: " + " … ".join(
            f"\"{q.exact}\"" for q in quotes(g, d))} for d in sorted(g.objects(figure, VX.responseDefinition))]
        if definitions:
            measured["note"] = definitions
        variables.append(measured)
        resource: dict[str, Any] = {
            "resourceType": "Evidence", "id": fhir_id(figure), "url": str(figure), "status": "active",
            "title": self.label(figure), "variableDefinition": variables, "statistic": [self.statistic(figure)],
            "relatedArtifact": self.related(figure, study)}
        notes = sorted(str(c) for c in g.objects(figure, RDFS.comment))
        notes += [f"The source document {g.value(d, DCTERMS.title)} prints its editorial status: {status}."
                  for d in sorted({q.document for q in quotes(g, figure)})
                  for status in sorted(str(s) for s in g.objects(d, VX.editorialStatus))]
        if notes:
            resource["note"] = [{"text": n} for n in notes]
        design = g.value(study, VX.studyDesign) if study is not None else None
        if design is not None:
            resource["studyDesign"] = [self.concept(design)]
            resource["certainty"] = [self.certainty(design)]
        self.add(resource)

    def statistic(self, figure: URIRef) -> dict:
        g = self.graph
        statistic_term = g.value(figure, VX.statistic)
        unit = g.value(figure, VX.unit)
        stat: dict[str, Any] = {"description": self.label(figure), "quantity": self.quantity(g.value(figure, VX.value), unit)}
        concept = self.concept(statistic_term)
        if _term(statistic_term) in STATISTICS:
            code, display = STATISTICS[_term(statistic_term)]
            concept["coding"].insert(0, {"system": STATISTIC_TYPES, "code": code, "display": display})
        stat["statisticType"] = concept
        numerator, denominator = g.value(figure, VX.numerator), g.value(figure, VX.denominator)
        if numerator is not None:
            stat["numberAffected"] = int(numerator)
        if denominator is not None:
            stat["sampleSize"] = {"numberOfParticipants": int(denominator)}
        estimates = []
        if g.value(figure, VX.ciLower) is not None:
            ci: dict[str, Any] = {"type": _estimate("C53324", "Confidence interval"),
                                  "range": {"low": self.quantity(g.value(figure, VX.ciLower), unit),
                                            "high": self.quantity(g.value(figure, VX.ciUpper), unit)}}
            if g.value(figure, VX.ciLevel) is not None:
                ci["level"] = _decimal(g.value(figure, VX.ciLevel))
            estimates.append(ci)
        if g.value(figure, VX.iqrLower) is not None:
            estimates.append({"type": _estimate("C53245", "Interquartile range"),
                              "range": {"low": self.quantity(g.value(figure, VX.iqrLower), unit),
                                        "high": self.quantity(g.value(figure, VX.iqrUpper), unit)}})
        if g.value(figure, VX.pValue) is not None:
            estimates.append({"type": _estimate("C44185", "P-value"),
                              "quantity": {"value": _decimal(g.value(figure, VX.pValue))}})
        if estimates:
            stat["attributeEstimate"] = estimates
        return stat

    def quantity(self, value: Literal, unit: URIRef | None) -> dict:
        quantity: dict[str, Any] = {"value": _decimal(value)}
        if unit is not None:
            quantity["unit"] = self.label(unit)
            if _term(unit) in UCUM_UNITS:
                quantity.update(system=UCUM, code=UCUM_UNITS[_term(unit)])
        return quantity

    def related(self, figure: URIRef, study: URIRef | None) -> list[dict]:
        g = self.graph
        artifacts = []
        for quote in quotes(g, figure):
            artifacts.append({
                "type": "derived-from", "label": f"quote {_term(quote.iri)}", "display": quote.exact,
                "document": {"contentType": "text/plain; charset=utf-8", "url": str(quote.iri),
                             "data": base64.b64encode(quote.exact.encode("utf-8")).decode("ascii")},
                "resourceReference": {"reference": self.document_citation(quote.document)}})
        if study is not None:
            for publication in sorted(g.objects(study, VX.reportedIn)):
                read_from = ", ".join(sorted({str(q.document).rsplit("/", 1)[-1] for q in quotes(g, figure)}))
                artifacts.append({"type": "citation", "label": "a publication of the figure's study",
                                  "display": (f"A publication of the study (from the reference table). The figure was "
                                              f"read from source document {read_from}, not from this publication, "
                                              "and has not been checked against it."),
                                  "resourceReference": {"reference": self.publication_citation(publication)}})
        return artifacts

    def certainty(self, design: URIRef) -> dict:
        """Certainty as what it is: not assessed. GRADE's starting level by design only in prose.

        HL7's certainty-type has no code for a design-based starting level, and a coded
        ``Overall`` rating is what EBM tools display as the certainty of the evidence; no
        source rates these figures, so nothing is coded as a rating. The starting level is
        told in the description and attributed to vexas-kg's reading of the design.
        """
        level = self.starting_level(design)
        subcomponents = [{"type": {"coding": [{"system": CERTAINTY_TYPES, "code": code, "display": display}]},
                          "rating": {"text": "not assessed"}} for code, display in NOT_ASSESSED]
        if level is None:
            start = f"No GRADE starting level is recorded for {self.label(design)}."
        else:
            start = (f"For information only (vexas-kg, from the study design, not a rating): GRADE starts "
                     f"{self.label(design)} evidence at '{level[1].lower()}' before any judgement.")
        return {"type": {"coding": [{"system": CERTAINTY_TYPES, "code": "Overall", "display": "Overall certainty"}]},
                "rating": {"text": "not assessed"},
                "description": ("Certainty not assessed: no source rates the certainty of this evidence and "
                                "vexas-kg makes no such judgement; the domains below need a reviewer and are not "
                                f"assessed. {start}"),
                "subcomponent": subcomponents}

    def starting_level(self, design: URIRef) -> tuple[str, str] | None:
        """The graph's GRADE starting level of the design's evidence level (``vx:gradeStartingLevel``)."""
        for broader in self.graph.transitive_objects(design, SKOS.broader):
            for level in sorted(self.graph.objects(broader, VX.evidenceLevel)):
                start = self.graph.value(level, VX.gradeStartingLevel)
                if start is not None and str(start) in GRADE_RATINGS:
                    return str(start), GRADE_RATINGS[str(start)]
        return None

def _role(code: str) -> dict:
    return {"coding": [{"system": VARIABLE_ROLES, "code": code}]}


def _estimate(code: str, display: str) -> dict:
    return {"coding": [{"system": ESTIMATE_TYPES, "code": code, "display": display}], "text": display}


def _decimal(value: Literal) -> Decimal:
    """The printed number (``"5.20"`` keeps its trailing zero)."""
    return Decimal(str(value))


def fhir_bundle(build: Build) -> dict:
    """The Bundle as a JSON-ready dict, entries sorted by type and id (decimals as ``Decimal``)."""
    bundle = _Bundle(build.graph)
    for figure in sorted(build.graph.subjects(RDF.type, VX.Figure)):
        bundle.evidence(figure)
    for document in sorted(build.graph.subjects(RDF.type, VX.Document)):
        bundle.document_citation(document)
    for publication in sorted(build.graph.subjects(RDF.type, VX.Publication)):
        bundle.publication_citation(publication)
    entries = [{"fullUrl": f"{BASE}{kind}/{ident}", "resource": bundle.resources[(kind, ident)]}
               for kind, ident in sorted(bundle.resources)]
    return {"resourceType": "Bundle", "id": "vexas-kg", "type": "collection",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": str(VXID["dataset"])}, "entry": entries}


class _ExactDecimals(json.JSONEncoder):
    """Decimals become a marker string that :func:`to_fhir_json` turns back into the bare number."""

    def default(self, o: object) -> object:
        if isinstance(o, Decimal):
            return f"\x00{o}\x00"
        return super().default(o)


def to_fhir_json(build: Build) -> str:
    """The Bundle as FHIR JSON, keys sorted, numbers exactly as printed."""
    text = json.dumps(fhir_bundle(build), cls=_ExactDecimals, indent=1, sort_keys=True, ensure_ascii=False)
    return re.sub(r'"\\u0000([-0-9.Ee+]+)\\u0000"', r"\1", text) + "\n"
