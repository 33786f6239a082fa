"""The vexas-kg vocabulary as Python names: a typo in a term fails at import time, not in a query result.

Kept in sync with ``vexas.ttl`` by ``tests/ontology/test_vocab.py``.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace


class VX(DefinedNamespace):
    """Classes and properties (``vx:``)."""

    _fail = True
    _NS = Namespace("https://w3id.org/vexas-kg/vocab#")

    AdverseEventReport: URIRef
    Algorithm: URIRef
    CaseReportDocument: URIRef
    CitationMarker: URIRef
    Claim: URIRef
    ClinicalEntity: URIRef
    ConferenceAbstract: URIRef
    Criterion: URIRef
    Disease: URIRef
    Document: URIRef
    Drug: URIRef
    DrugClass: URIRef
    Figure: URIRef
    Gene: URIRef
    GuidelineDocument: URIRef
    Intervention: URIRef
    NewsReport: URIRef
    Phenotype: URIRef
    Procedure: URIRef
    Publication: URIRef
    QAArticle: URIRef
    Quote: URIRef
    ReferenceEntry: URIRef
    ResponseDefinition: URIRef
    ReviewArticle: URIRef
    SafetyRule: URIRef
    Study: URIRef
    StudyArm: URIRef
    StudyReport: URIRef

    about: URIRef
    appliesTo: URIRef
    arm: URIRef
    associatedGene: URIRef
    ciLevel: URIRef
    ciLower: URIRef
    ciUpper: URIRef
    citedNumber: URIRef
    claimKind: URIRef
    comparatorArm: URIRef
    comparatorLabel: URIRef
    condition: URIRef
    conditionIntervention: URIRef
    container: URIRef
    country: URIRef
    denominator: URIRef
    describesPublication: URIRef
    direction: URIRef
    disputes: URIRef
    doseFrequency: URIRef
    doseMax: URIRef
    doseMin: URIRef
    doseUnit: URIRef
    doseValue: URIRef
    event: URIRef
    eventLabel: URIRef
    firstAuthor: URIRef
    frequency: URIRef
    hasArm: URIRef
    hasCitationMarker: URIRef
    hasCriterion: URIRef
    hasQuote: URIRef
    hasResponseDefinition: URIRef
    inDocument: URIRef
    intervention: URIRef
    iqrLower: URIRef
    iqrUpper: URIRef
    markerPosition: URIRef
    measure: URIRef
    memberOf: URIRef
    numerator: URIRef
    operator: URIRef
    pValue: URIRef
    parameter: URIRef
    partOfAlgorithm: URIRef
    patientCount: URIRef
    periodEnd: URIRef
    periodStart: URIRef
    populationNote: URIRef
    populationSize: URIRef
    printedLabel: URIRef
    providedBy: URIRef
    questionQuote: URIRef
    referenceNumber: URIRef
    reportedIn: URIRef
    resolvesTo: URIRef
    responseDefinition: URIRef
    responseLevel: URIRef
    restates: URIRef
    riskStatement: URIRef
    route: URIRef
    ruleKind: URIRef
    section: URIRef
    setting: URIRef
    sexMix: URIRef
    sha256: URIRef
    sourceFile: URIRef
    statedIn: URIRef
    statistic: URIRef
    stepLabel: URIRef
    stepOrder: URIRef
    study: URIRef
    studyDesign: URIRef
    subject: URIRef
    supports: URIRef
    test: URIRef
    thresholdValue: URIRef
    timepoint: URIRef
    timepointLabel: URIRef
    timing: URIRef
    titleQuote: URIRef
    unit: URIRef
    value: URIRef
    verificationStatus: URIRef
    volumePages: URIRef
    year: URIRef


class VXT(DefinedNamespace):
    """Controlled terms: SKOS concepts and their schemes (``vxt:``), addressed as ``VXT["overall-response"]``."""

    _fail = True
    _NS = Namespace("https://w3id.org/vexas-kg/terms/")
    _extras = [
        "advises-against",
        "algorithm-step",
        "background",
        "baseline-lab",
        "case-report",
        "claim-kinds",
        "cohort-study",
        "complete-response",
        "conclusion",
        "conference-abstract",
        "contraindication-threshold",
        "count",
        "crp-level",
        "directions",
        "discontinuation",
        "discontinuation-threshold",
        "document-kinds",
        "dosing",
        "finding",
        "g-per-dl",
        "guideline",
        "infection",
        "limitation",
        "measures",
        "median",
        "mg-per-day",
        "mg-per-l",
        "ml-per-min",
        "monitoring",
        "month",
        "news-report",
        "no-response",
        "overall-response",
        "partial-response",
        "patients",
        "per-mm3",
        "percent",
        "pitfall",
        "prednisone-dose",
        "prognostic-statement",
        "prophylaxis",
        "proportion",
        "qa-article",
        "ratio",
        "rationale",
        "recommendation",
        "recommends",
        "renal-adjustment",
        "response-likelihood",
        "retrospective-cohort-study",
        "retrospective-registry-study",
        "review",
        "risk-ratio",
        "rule-kinds",
        "safety-statement",
        "screening",
        "short-answer",
        "states",
        "statistics",
        "study-designs",
        "study-report",
        "systematic-review",
        "time-to-discontinuation",
        "units",
        "vaccination",
        "year",
    ]


VXID = Namespace("https://w3id.org/vexas-kg/id/")
"""Instances: documents, studies, figures, claims, entities (open namespace of stable slugs)."""


class OA(DefinedNamespace):
    """The W3C Web Annotation terms vexas-kg uses for quotes (rdflib ships no OA namespace)."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/oa#")

    SpecificResource: URIRef
    TextQuoteSelector: URIRef
    TextPositionSelector: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    exact: URIRef
    start: URIRef
    end: URIRef


class BIBO(DefinedNamespace):
    """The Bibliographic Ontology terms vexas-kg uses (rdflib ships no BIBO namespace)."""

    _fail = True
    _NS = Namespace("http://purl.org/ontology/bibo/")

    Document: URIRef
    doi: URIRef
    pmid: URIRef
