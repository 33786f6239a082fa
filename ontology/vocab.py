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
    DecisionCondition: URIRef
    DecisionPoint: URIRef
    SubjectLink: URIRef
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
    addOn: URIRef
    afterFailureOf: URIRef
    appliesTo: URIRef
    arm: URIRef
    associatedGene: URIRef
    callsSimilar: URIRef
    ciLevel: URIRef
    ciLower: URIRef
    citedNumber: URIRef
    ciUpper: URIRef
    claimKind: URIRef
    comparator: URIRef
    comparatorArm: URIRef
    comparatorLabel: URIRef
    comparedTo: URIRef
    composition: URIRef
    condition: URIRef
    conditionIntervention: URIRef
    container: URIRef
    country: URIRef
    criteriaSignature: URIRef
    decisionKind: URIRef
    decisionPoint: URIRef
    failureQuantifier: URIRef
    hasCondition: URIRef
    conditionOn: URIRef
    conditionKind: URIRef
    hasSubjectLink: URIRef
    linkedSubject: URIRef
    subjectRole: URIRef
    roleFor: URIRef
    definitionText: URIRef
    denominator: URIRef
    describesPublication: URIRef
    direction: URIRef
    disputes: URIRef
    doseFrequency: URIRef
    doseMax: URIRef
    doseMin: URIRef
    doseUnit: URIRef
    doseValue: URIRef
    editorialStatus: URIRef
    editorialStatusQuote: URIRef
    event: URIRef
    eventLabel: URIRef
    evidenceLevel: URIRef
    excludes: URIRef
    exposure: URIRef
    firstAuthor: URIRef
    frequency: URIRef
    gradeStartingLevel: URIRef
    hasArm: URIRef
    hasCitationMarker: URIRef
    hasCriterion: URIRef
    hasQuote: URIRef
    hasResponseDefinition: URIRef
    inDocument: URIRef
    intervention: URIRef
    isTopic: URIRef
    iqrLower: URIRef
    iqrUpper: URIRef
    judgementExcludes: URIRef
    judgesEffective: URIRef
    judgesIneffective: URIRef
    limitationOf: URIRef
    markerPosition: URIRef
    measure: URIRef
    memberOf: URIRef
    numerator: URIRef
    operator: URIRef
    ownStatementLevel: URIRef
    parameter: URIRef
    partOfAlgorithm: URIRef
    patientCount: URIRef
    periodEnd: URIRef
    periodStart: URIRef
    populationBasis: URIRef
    populationNote: URIRef
    populationSize: URIRef
    preferenceRank: URIRef
    printedLabel: URIRef
    providedBy: URIRef
    pValue: URIRef
    qualifies: URIRef
    questionQuote: URIRef
    referenceNumber: URIRef
    reportedIn: URIRef
    resolvesTo: URIRef
    responseDefinition: URIRef
    responseLevel: URIRef
    restates: URIRef
    riskStatement: URIRef
    route: URIRef
    routeOfAdministration: URIRef
    ruleKind: URIRef
    safetyOf: URIRef
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
    timepointText: URIRef
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
        "after-failure",
        "algorithm-step",
        "all-failed",
        "any-failed",
        "background",
        "baseline-lab",
        "case-report",
        "case-reports",
        "caution",
        "claim-kinds",
        "cohort-study",
        "complete-response",
        "conclusion",
        "conference-abstract",
        "context",
        "condition-kinds",
        "contraindication",
        "contraindication-threshold",
        "count",
        "crp-level",
        "decision-kinds",
        "directions",
        "discontinuation",
        "discontinuation-threshold",
        "document-kinds",
        "dosing",
        "evidence-levels",
        "expert-opinion",
        "failure",
        "failure-quantifiers",
        "finding",
        "g-per-dl",
        "grade-domains",
        "guideline",
        "imprecision",
        "inconsistency",
        "indication",
        "indirectness",
        "infection",
        "intolerance",
        "initial-treatment",
        "limitation",
        "measures",
        "median",
        "mg-per-day",
        "mg-per-l",
        "ml-per-min",
        "monitored",
        "monitoring",
        "month",
        "news-report",
        "no-response",
        "observational",
        "ongoing-care",
        "outcome",
        "overall-response",
        "partial-response",
        "patients",
        "per-mm3",
        "per-patient",
        "per-treatment-course",
        "percent",
        "pitfall",
        "population-bases",
        "prednisone-dose",
        "prevention",
        "prognostic-statement",
        "prophylaxis",
        "proportion",
        "publication-bias",
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
        "risk-of-bias",
        "risk-ratio",
        "rule-kinds",
        "safety-statement",
        "screening",
        "secondary-report",
        "short-answer",
        "specific-situation",
        "states",
        "statistics",
        "study-designs",
        "study-report",
        "subject-roles",
        "systematic-review",
        "time-to-discontinuation",
        "unavailability",
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
