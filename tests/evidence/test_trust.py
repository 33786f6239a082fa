"""Data tests for answers a clinician can trust (issue 12): each listed defect, and a general rule
that catches its whole class, on the built graph. Each was checked to fail on the data before
the fix (the record edits in tests/loaders/test_trust_records.py rebuild the old data)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, run_named
from vexas_kg.loaders.criteria import PARAMETERS, clauses
from vexas_kg.loaders.source_text import normalise
from vexas_kg.ontology.vocab import OA, VX, VXID, VXT

SOURCES = files("vexas_kg.evidence").joinpath("sources")


@pytest.fixture(scope="module")
def oxigraph(built: Build) -> OxigraphEngine:
    return OxigraphEngine.from_graph(built.graph)


@pytest.fixture(scope="module")
def labels(oxigraph: OxigraphEngine) -> LabelIndex:
    return LabelIndex.from_engine(oxigraph)


def classes_of(graph: Graph, node: URIRef) -> set[URIRef]:
    """The node and every class above it (vx:memberOf, skos:broader)."""
    seen, todo = {node}, [node]
    while todo:
        current = todo.pop()
        for parent in list(graph.objects(current, VX.memberOf)) + list(graph.objects(current, SKOS.broader)):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


# ---------------------------------------------------------------- arm composition

def test_no_figure_reaches_any_drug_through_a_class_its_arm_excludes(built: Build, oxigraph: OxigraphEngine,
                                                                       labels: LabelIndex) -> None:
    """For every drug: every figure comparative-efficacy shows for it comes from an arm that
    excludes neither the drug nor any of its classes."""
    graph = built.graph
    drugs = sorted(graph.subjects(RDF.type, VX.Drug))
    assert len(drugs) >= 10
    for drug in drugs:
        table = run_named("comparative-efficacy", {"intervention": str(drug)}, oxigraph, labels)
        for row in table.rows:
            figure = row[table.columns.index("figure")]
            arm = graph.value(figure, VX.arm)
            excluded = set(graph.objects(arm, VX.excludes))
            assert not excluded & classes_of(graph, drug), f"{figure} reaches {drug} through an excluded class"


def test_the_tnf_and_other_arm_reaches_no_listed_class(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    leak = VXID["doc/004/figure/tnf-and-other-overall-response-3m"]
    for drug in ("tocilizumab", "ruxolitinib", "tofacitinib", "baricitinib", "anakinra", "siltuximab", "momelotinib"):
        table = run_named("comparative-efficacy", {"intervention": drug}, oxigraph, labels)
        assert leak not in {row[0] for row in table.rows}, drug


def test_the_evidence_gaps_count_no_excluded_class_level_figure(oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    table = run_named("evidence-gaps", {}, oxigraph, labels)
    rows = {str(r[1]): dict(zip(table.columns, r)) for r in table.rows}
    # JAK inhibitors' six class-level figures, not the seventh of "TNF blockers and other targeted drugs".
    assert int(rows["tofacitinib"]["classLevelFigures"]) == 6
    assert int(rows["siltuximab"]["classLevelFigures"]) == 6


def test_every_arm_states_its_composition(built: Build) -> None:
    graph = built.graph
    for arm in graph.subjects(RDF.type, VX.StudyArm):
        text = str(graph.value(arm, VX.composition))
        for node in graph.objects(arm, VX.intervention):
            assert str(graph.value(node, RDFS.label)) in text.split("; excludes")[0]
        for node in graph.objects(arm, VX.excludes):
            assert str(graph.value(node, RDFS.label)) in text.split("; excludes")[1]


def test_an_arm_labelled_other_names_what_it_excludes(built: Build) -> None:
    """The general rule behind item 1: a source's 'other ...' arm says what it leaves out."""
    graph = built.graph
    for arm in graph.subjects(RDF.type, VX.StudyArm):
        if re.search(r"\bother\b", str(graph.value(arm, RDFS.label)), re.IGNORECASE):
            assert list(graph.objects(arm, VX.excludes)), arm


# ---------------------------------------------------------------- data errors (item 5)

def definition(slug: str) -> URIRef:
    return VXID[f"study/french-registry-targeted-therapies/response-definition/{slug}"]


def quote_text(graph: Graph, item: URIRef) -> str:
    """The item's quotes, white space normalised, in IRI order."""
    return " ".join(normalise(str(graph.value(selector, OA.exact)))
                    for quote in sorted(graph.objects(item, VX.hasQuote))
                    for selector in graph.objects(quote, OA.hasSelector)
                    if (selector, RDF.type, OA.TextQuoteSelector) in graph)


def test_the_no_response_definition_keeps_the_steroid_clause(built: Build) -> None:
    graph = built.graph
    node = definition("no-response")
    assert str(graph.value(node, VX.definitionText)) == (
        "continued disease activity or inflammation and/or the inability to reduce steroids")
    parameters = {str(graph.value(c, VX.parameter)) for c in graph.objects(node, VX.hasCriterion)}
    assert "the inability to reduce steroids" in parameters


def test_every_definition_text_is_its_whole_quoted_definition(built: Build) -> None:
    """General: the verbatim definition equals the quote's tail, and every clause has a criterion."""
    graph = built.graph
    definitions = list(graph.subjects(RDF.type, VX.ResponseDefinition))
    assert definitions
    for node in definitions:
        text = str(graph.value(node, VX.definitionText))
        quoted = quote_text(graph, node).rstrip(" .").lower()
        assert quoted.endswith(normalise(text).rstrip(" .").lower()), node
        parameters = [str(graph.value(c, VX.parameter)).lower() for c in graph.objects(node, VX.hasCriterion)]
        for clause in clauses(text):
            assert any(p in clause or clause in p for p in parameters), (node, clause)


def test_the_haemoglobin_drop_keeps_its_parameter(built: Build) -> None:
    graph = built.graph
    rule = VXID["doc/000/safety-rule/discontinue-hemoglobin-drop"]
    (criterion,) = graph.objects(rule, VX.hasCriterion)
    assert str(graph.value(criterion, VX.parameter)) == "hemoglobin"
    assert str(graph.value(criterion, VX.operator)) == "decrease-by-more-than"
    assert str(graph.value(criterion, VX.thresholdValue)) == "2"
    assert graph.value(criterion, VX.unit) == VXT["g-per-dl"]


def test_every_criterion_names_a_known_parameter_with_operator_value_and_unit(built: Build) -> None:
    """General: a criterion's parameter is a noun of the closed list, never a verb such as 'drops';
    every criterion but 'met' has a value, and every value but a ratio has a unit."""
    graph = built.graph
    criteria = list(graph.subjects(RDF.type, VX.Criterion))
    assert len(criteria) >= 15
    for c in criteria:
        assert str(graph.value(c, VX.parameter)) in PARAMETERS, c
        operator = str(graph.value(c, VX.operator))
        if operator == "met":
            assert graph.value(c, VX.thresholdValue) is None, c
        else:
            assert graph.value(c, VX.thresholdValue) is not None and graph.value(c, VX.unit) is not None, c


@pytest.mark.parametrize("intervention", ["JAK inhibitors", "ruxolitinib", "IL-6 inhibitors", "tocilizumab"])
def test_safety_profile_reports_the_serious_side_effects_and_deaths(intervention: str, oxigraph: OxigraphEngine,
                                                                    labels: LabelIndex) -> None:
    table = run_named("safety-profile", {"intervention": intervention}, oxigraph, labels)
    items = {str(r[1]).rsplit("/", 1)[1] for r in table.rows}
    assert {"il6-serious-side-effects", "il6-fewer-deaths"} <= items


def test_every_comparative_risk_statement_names_both_sides(built: Build) -> None:
    """General: an adverse event whose quote compares ('double', 'fewer', 'more', 'compared to',
    'than') names the comparator, and a claim that compares names at least two interventions."""
    graph = built.graph
    comparative = re.compile(r"\b(double|fewer|more than|less than|compared to|compared with|than)\b", re.IGNORECASE)
    for event in graph.subjects(RDF.type, VX.AdverseEventReport):
        risk = str(graph.value(event, VX.riskStatement) or "")
        if comparative.search(risk) or (comparative.search(quote_text(graph, event)) and "double" in quote_text(graph, event)):
            assert list(graph.objects(event, VX.comparedTo)), event
    for claim in graph.subjects(RDF.type, VX.Claim):
        text = str(graph.value(claim, RDFS.label))
        if re.search(r"\b(compared to|compared with|versus|fewer deaths)\b", text, re.IGNORECASE):
            interventions = [s for s in graph.objects(claim, VX.subject) if (s, RDF.type, VX.Intervention) in graph
                             or any((s, RDF.type, t) in graph for t in (VX.Drug, VX.DrugClass, VX.Procedure))]
            assert len(interventions) >= 2, claim
            events = list(graph.subjects(VX.statedIn, claim))
            if "side effects" in text or "deaths" in text:
                assert any(list(graph.objects(e, VX.comparedTo)) for e in events), claim


def test_the_four_manifestations_of_004_are_tagged(built: Build) -> None:
    graph = built.graph
    subjects = set(graph.objects(VXID["doc/004/claim/disease-manifestations"], VX.subject))
    assert {VXID[f"phenotype/{p}"] for p in ("skin-involvement", "pulmonary-involvement", "vascular-involvement",
                                            "joint-involvement")} <= subjects


def names_of(graph: Graph, node: URIRef) -> list[str]:
    return [str(x) for x in list(graph.objects(node, RDFS.label)) + list(graph.objects(node, SKOS.altLabel))]


NOT_A_MANIFESTATION = ("skin test",)
"""Compounds in which a manifestation's word names something else (the tuberculin skin test)."""


def test_every_manifestation_a_claim_names_is_tagged(built: Build) -> None:
    """General: wherever a claim's quote prints a manifestation's label or alternative label (as
    whole words), the claim has it as a subject, or a subject whose name contains it."""
    graph = built.graph
    phenotypes = list(graph.subjects(RDF.type, VX.Phenotype))
    missing = []
    for claim in graph.subjects(RDF.type, VX.Claim):
        text = str(graph.value(claim, RDFS.label)).lower()
        for compound in NOT_A_MANIFESTATION:
            text = text.replace(compound, " ")
        subject_names = [n.lower() for s in graph.objects(claim, VX.subject) for n in names_of(graph, s)]
        for phenotype in phenotypes:
            for name in names_of(graph, phenotype):
                if re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", text):
                    if not any(name.lower() in n for n in subject_names):
                        missing.append((str(claim).rsplit("/doc/", 1)[1], name))
    assert missing == []


def test_every_intervention_a_claim_names_is_tagged(built: Build) -> None:
    """General, as for manifestations: a drug, class or procedure printed in a claim (label or
    alternative label, whole words) is a subject or a condition intervention of the claim. The
    disease is exempt: every statement of the sources is about VEXAS."""
    graph = built.graph
    interventions = [e for t in (VX.Drug, VX.DrugClass, VX.Procedure) for e in graph.subjects(RDF.type, t)]
    missing = []
    for claim in graph.subjects(RDF.type, VX.Claim):
        text = str(graph.value(claim, RDFS.label)).lower()
        tagged = list(graph.objects(claim, VX.subject)) + list(graph.objects(claim, VX.conditionIntervention))
        tagged_names = [n.lower() for s in tagged for n in names_of(graph, s)]
        for intervention in interventions:
            for name in names_of(graph, intervention):
                if re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", text):
                    if not any(name.lower() in n for n in tagged_names):
                        missing.append((str(claim).rsplit("/doc/", 1)[1], name))
    assert missing == []


def test_no_entity_without_evidence_carries_an_identifier(built: Build) -> None:
    """Only entities an evidence item names carry external identifiers (a reference title is not
    evidence); the entities no source names are not in the graph at all."""
    graph = built.graph
    evidence_props = {VX.subject, VX.intervention, VX.excludes, VX.appliesTo, VX.event, VX.conditionIntervention,
                      VX.comparedTo, VX.afterFailureOf, VX.judgesEffective, VX.judgesIneffective,
                      VX.judgementExcludes, VX.associatedGene, VX.memberOf, SKOS.broader}
    for entity in set(graph.subjects(DCTERMS.identifier, None)):
        named = [s for p in evidence_props for s in graph.subjects(p, entity)
                 if not any((s, RDF.type, t) in graph for t in (VX.Drug, VX.DrugClass))]
        assert named, f"{entity} carries identifiers but no evidence names it"
    assert not list(graph.objects(VXID["drug/upadacitinib"], DCTERMS.identifier))
    for gone in ("drug/canakinumab", "phenotype/scleritis", "phenotype/chondritis",
                 "phenotype/deep-venous-thrombosis", "disease/relapsing-polychondritis"):
        assert not list(graph.predicate_objects(VXID[gone])), gone


# ---------------------------------------------------------------- evidence level, source status

def test_every_figure_carries_the_level_of_its_study_design(built: Build) -> None:
    graph = built.graph
    expected = {VXT["cohort-study"]: VXT.observational, VXT["retrospective-registry-study"]: VXT.observational,
                VXT["retrospective-cohort-study"]: VXT.observational, VXT["case-report"]: VXT["case-reports"]}
    for figure in graph.subjects(RDF.type, VX.Figure):
        design = graph.value(graph.value(figure, VX.study), VX.studyDesign)
        assert graph.value(design, VX.evidenceLevel) == expected[design]
        assert str(graph.value(graph.value(design, VX.evidenceLevel), VX.gradeStartingLevel)) == "low"


def test_qa_articles_own_statements_are_expert_style_opinion(built: Build) -> None:
    graph = built.graph
    assert graph.value(VXT["qa-article"], VX.ownStatementLevel) == VXT["expert-opinion"]
    assert str(graph.value(VXT["expert-opinion"], SKOS.prefLabel)) == "expert-style opinion"


def test_the_french_study_states_three_limitations(built: Build) -> None:
    graph = built.graph
    limitations = set(graph.subjects(VX.limitationOf, VXID["study/french-registry-targeted-therapies"]))
    assert {str(x).rsplit("/", 1)[1] for x in limitations} == {
        "limitation-retrospective-france", "limitation-various-therapies", "limitation-treated-before-description"}
    for claim in graph.subjects(VX.claimKind, VXT.limitation):
        assert graph.value(claim, VX.limitationOf) is not None, claim


def test_editorial_status_is_as_printed(built: Build) -> None:
    graph = built.graph
    for doc in ("000", "001"):
        assert str(graph.value(VXID[f"doc/{doc}"], VX.editorialStatus)) == "content is pending human review"
    assert graph.value(VXID["doc/004"], VX.editorialStatus) is None
    for doc, status in graph.subject_objects(VX.editorialStatus):
        printed = [str(graph.value(s, OA.exact)) for q in graph.objects(doc, VX.editorialStatusQuote)
                   for s in graph.objects(q, OA.hasSelector)]
        assert any(str(status) in text for text in printed), doc


def test_no_grade_judgement_is_stated_as_a_fact(built: Build) -> None:
    """Only the starting level by design; no predicate of the graph rates a GRADE domain."""
    graph = built.graph
    domains = set(graph.subjects(SKOS.inScheme, VXT["grade-domains"]))
    assert len(domains) == 5
    for domain in domains:
        assert [p for p in graph.subjects(None, domain) if p not in domains] == []


# ---------------------------------------------------------------- decision points

def test_every_piece_of_advice_has_a_decision_point(built: Build) -> None:
    graph = built.graph
    for claim in graph.subjects(VX.direction, VXT.recommends):
        kind = graph.value(claim, VX.claimKind)
        if kind in (VXT["short-answer"], VXT.recommendation, VXT["algorithm-step"]):
            assert graph.value(claim, VX.decisionPoint) is not None, claim


def test_after_ruxolitinib_failure_and_first_presentation_are_different_decision_points(built: Build) -> None:
    graph = built.graph
    step1 = graph.value(VXID["doc/000/claim/step-1-azacitidine"], VX.decisionPoint)
    day1 = graph.value(VXID["doc/001/claim/algorithm-day-1"], VX.decisionPoint)
    assert step1 == VXID["decision-point/after-failure/ruxolitinib/failure+intolerance"]
    assert day1 == VXID["decision-point/initial-treatment"]


FAILURE_WORDING = re.compile(r"\b(fail(?:s|ed|ure|ures)?|refractory|recalcitrant|intoleran(?:t|ce)|not tolerated|"
                             r"inadequate response)\b", re.IGNORECASE)


def test_failure_wording_and_after_failure_decision_points_agree(built: Build) -> None:
    """A piece of advice whose words (its quote, its condition, its algorithm's condition) name a
    failure, intolerance or refractoriness has an after-failure decision point, and an
    after-failure decision point is never given to advice whose words name none (audit: 001's
    azacitidine "for patients with concurrent myelodysplastic features or those refractory to
    JAK inhibitors and IL-6 blockade" had one decision point for two branches)."""
    graph = built.graph
    checked = 0
    for claim in set(graph.subjects(VX.decisionPoint, None)):
        if (claim, RDF.type, VX.Claim) not in graph:
            continue
        words = [str(graph.value(claim, RDFS.label)), str(graph.value(claim, VX.condition) or "")]
        points = set(graph.objects(claim, VX.decisionPoint))
        for algorithm in graph.objects(claim, VX.partOfAlgorithm):
            words.append(str(graph.value(algorithm, VX.condition) or ""))
            points |= set(graph.objects(algorithm, VX.decisionPoint))
        names_failure = any(FAILURE_WORDING.search(w) for w in words)
        after = any(graph.value(p, VX.decisionKind) == VXT["after-failure"] for p in points)
        assert names_failure == after, (str(claim), names_failure, after)
        checked += 1
    assert checked >= 20


def test_advice_with_two_branches_has_both_decision_points(built: Build) -> None:
    graph = built.graph
    points = set(graph.objects(VXID["doc/001/claim/azacitidine-consider"], VX.decisionPoint))
    assert points == {VXID["decision-point/specific-situation"],
                      VXID["decision-point/after-failure/il6-inhibitor+jak-inhibitor/failure"]}
    assert str(graph.value(VXID["decision-point/after-failure/il6-inhibitor+jak-inhibitor/failure"], RDFS.label)) == \
        "after failure of both IL-6 inhibitors and JAK inhibitors"


def test_every_manifestation_a_claim_names_has_a_role(built: Build) -> None:
    """Claim–manifestation links carry a role (indication, prevention, caution, monitored, outcome, context):
    "zoster" with tofacitinib is a risk, not something tofacitinib treats."""
    graph = built.graph
    roles = set(graph.subjects(SKOS.inScheme, VXT["subject-roles"]))
    assert {VXT.indication, VXT.prevention, VXT.caution, VXT.monitored, VXT.outcome, VXT.context} == roles
    checked = 0
    for claim, subject in graph.subject_objects(VX.subject):
        if (subject, RDF.type, VX.Phenotype) not in graph:
            continue
        given = {graph.value(l, VX.subjectRole) for l in graph.objects(claim, VX.hasSubjectLink)
                 if graph.value(l, VX.linkedSubject) == subject}
        assert given and given <= roles, (claim, subject)
        checked += 1
    assert checked >= 40
    zoster = VXID["doc/000/claim/infection-risk"]
    assert {graph.value(l, VX.subjectRole) for l in graph.objects(zoster, VX.hasSubjectLink)} == {VXT.caution}


# ---------------------------------------------------------------- timepoints printed with their figures

NUMBER_WORDS = {"1": "one", "2": "two", "3": "three", "6": "six", "12": "twelve"}
BOUNDARY = re.compile(r"(?<=[.!?:])\s+(?=\S)|\n\s*\n(?=\s*[A-Z•0-9])|•")


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence or bullet of the source text that holds text[start:end]."""
    left = max((m.end() for m in BOUNDARY.finditer(text) if m.end() <= start), default=0)
    right = next((m.start() for m in BOUNDARY.finditer(text) if m.start() >= end), len(text))
    return normalise(text[left:right])


def timepoint_pattern(graph: Graph, figure: URIRef) -> re.Pattern[str] | None:
    duration, label = graph.value(figure, VX.timepoint), graph.value(figure, VX.timepointLabel)
    if duration is not None:
        match = re.fullmatch(r"P(\d+)M", str(duration))
        if match is None:
            return None
        n = match.group(1)
        return re.compile(rf"\b(?:at |by |after )?(?:{n}|{NUMBER_WORDS.get(n, n)})[- ]months?\b", re.IGNORECASE)
    return re.compile(re.escape(str(label)), re.IGNORECASE) if label is not None else None


def selector(graph: Graph, quote: URIRef) -> tuple[str, int, int]:
    """A quote's exact text and its offsets in the source text."""
    exact, start, end = "", 0, 0
    for sel in graph.objects(quote, OA.hasSelector):
        exact = str(graph.value(sel, OA.exact) or exact)
        start = int(graph.value(sel, OA.start) or start)
        end = int(graph.value(sel, OA.end) or end)
    return exact, start, end


def test_a_figure_is_quoted_with_the_timepoint_its_sentence_prints(built: Build) -> None:
    """Where the source prints a figure's timepoint in the same sentence or bullet as the number,
    every quote of the figure that prints the number includes it, and the figure records it as
    its timepoint text (audit: contrasts showed "Tocilizumab - 64% response rate" without
    "at 6 months", the timepoint that makes the contrast meaningful)."""
    graph = built.graph
    texts = {str(graph.value(d, VX.sourceFile)): d for d in graph.subjects(RDF.type, VX.Document)}
    sources = {doc: SOURCES.joinpath(name).read_text(encoding="utf-8") for name, doc in texts.items()}
    checked = 0
    for figure in sorted(graph.subjects(RDF.type, VX.Figure)):
        pattern = timepoint_pattern(graph, figure)
        if pattern is None:
            continue
        value = str(graph.value(figure, VX.value))
        printed_with_number = False
        for quote in graph.objects(figure, VX.hasQuote):
            exact, start, end = selector(graph, quote)
            if value not in exact:
                continue
            sentence = sentence_around(sources[graph.value(quote, OA.hasSource)], start, end)
            found = pattern.search(sentence)
            if found is None:
                continue
            printed_with_number = True
            assert pattern.search(normalise(exact)), (str(figure), exact, found.group(0))
            checked += 1
        text = graph.value(figure, VX.timepointText)
        if printed_with_number:
            assert text is not None and pattern.search(str(text)), (str(figure), "needs its timepoint_text")
    assert checked >= 10


def test_after_failure_of_several_interventions_says_all_or_any(built: Build) -> None:
    """"Refractory to JAK inhibitors and IL-6 blockade" (both failed) and "switching between JAK
    inhibitor and IL-6 blockade" after an inadequate response (whichever was started failed) are
    different moments: every after-failure decision point of several interventions says which, and
    001's two are different nodes (audit: they shared one node labelled "of … and …")."""
    graph = built.graph
    for point in graph.subjects(VX.decisionKind, VXT["after-failure"]):
        if len(set(graph.objects(point, VX.afterFailureOf))) > 1:
            assert graph.value(point, VX.failureQuantifier) in (VXT["all-failed"], VXT["any-failed"]), point
    switch = set(graph.objects(VXID["doc/001/claim/algorithm-month-3-6"], VX.decisionPoint))
    assert {graph.value(p, VX.failureQuantifier) for p in switch} == {VXT["any-failed"]}
    aza = {p for p in graph.objects(VXID["doc/001/claim/azacitidine-consider"], VX.decisionPoint)
           if graph.value(p, VX.decisionKind) == VXT["after-failure"]}
    assert {graph.value(p, VX.failureQuantifier) for p in aza} == {VXT["all-failed"]}
    assert not aza & switch


# ---------------------------------------------------------------- decision conditions as printed

def names_of(graph: Graph, node: URIRef) -> list[str]:
    return [str(n) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for n in graph.objects(node, p)]


def names_pattern(names: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in sorted(names, key=len, reverse=True)),
                      re.IGNORECASE)


def advice_with_after_failure_points(graph: Graph) -> list[tuple[URIRef, set[URIRef], list[str], list[str]]]:
    """Each claim or algorithm with after-failure decision points: (node, those points, the exact
    texts of its quote pieces and its algorithm's, its condition and its algorithm's)."""
    out = []
    for node in sorted(set(graph.subjects(VX.decisionPoint, None))):
        points = {p for p in graph.objects(node, VX.decisionPoint)
                  if graph.value(p, VX.decisionKind) == VXT["after-failure"]}
        if not points:
            continue
        holders = [node, *graph.objects(node, VX.partOfAlgorithm)]
        quotes = [selector(graph, q)[0] for h in holders for q in graph.objects(h, VX.hasQuote)]
        conditions = [str(c) for h in holders for c in graph.objects(h, VX.condition)]
        out.append((node, points, quotes, conditions))
    return out


def test_every_decision_condition_is_printed_in_the_quote_that_names_its_intervention(built: Build) -> None:
    """An after-failure decision point records what the source says happened to each earlier
    intervention (failure, intolerance, contraindication, unavailability), and each recorded kind
    is printed, in one of its wordings, in a quote piece of the advice (or of its algorithm) that
    names that intervention (audit: 000's step 3 read "after failure or intolerance of
    azacitidine and ruxolitinib and tocilizumab", where the source says "only if azacitidine and
    tocilizumab are contraindicated, unavailable, or have failed")."""
    graph = built.graph
    wordings = {kind: names_pattern([str(w) for w in graph.objects(kind, SKOS.hiddenLabel)])
                for kind in graph.subjects(SKOS.inScheme, VXT["condition-kinds"])}
    assert set(wordings) == {VXT.failure, VXT.intolerance, VXT.contraindication, VXT.unavailability}
    checked = 0
    for node, points, quotes, _ in advice_with_after_failure_points(graph):
        for point in points:
            recorded = list(graph.objects(point, VX.hasCondition))
            assert recorded, (str(node), str(point), "records no condition")
            for condition in recorded:
                on = graph.value(condition, VX.conditionOn)
                naming = quotes if on is None else [q for q in quotes if names_pattern(names_of(graph, on)).search(q)]
                assert naming, (str(node), str(on), "no quote names it")
                kinds = set(graph.objects(condition, VX.conditionKind))
                assert kinds
                assert any(all(wordings[k].search(q) for k in kinds) for q in naming), \
                    (str(node), str(on), sorted(str(k) for k in kinds), naming)
                checked += 1
    assert checked >= 12


def test_the_interventions_a_condition_clause_names_are_its_decision_points(built: Build) -> None:
    """Every intervention named in the condition clause of a piece of after-failure advice (or of
    its algorithm) is an intervention of its after-failure decision point: "only if azacitidine and
    tocilizumab are contraindicated, unavailable, or have failed" makes both conditions of 000's
    step 3, beside the algorithm's "When ruxolitinib has failed or is not tolerated"."""
    graph = built.graph
    interventions = [i for cls in (VX.Drug, VX.DrugClass, VX.Procedure) for i in graph.subjects(RDF.type, cls)]
    patterns = {i: names_pattern(names_of(graph, i)) for i in interventions if names_of(graph, i)}
    checked = 0
    for node, points, _, clauses_ in advice_with_after_failure_points(graph):
        named = {i for i, pattern in patterns.items() for clause in clauses_ if pattern.search(clause)}
        recorded = {i for p in points for i in graph.objects(p, VX.afterFailureOf)}
        assert named <= recorded, (str(node), sorted(map(str, named - recorded)))
        checked += 1
    assert checked >= 8
    step3 = {p for p in graph.objects(VXID["doc/000/claim/step-3-tofacitinib-or-other-jaki"], VX.decisionPoint)}
    assert {graph.value(c, VX.conditionOn): set(graph.objects(c, VX.conditionKind))
            for p in step3 for c in graph.objects(p, VX.hasCondition)} == {
        VXID["drug/ruxolitinib"]: {VXT.failure, VXT.intolerance},
        VXID["drug/azacitidine"]: {VXT.contraindication, VXT.unavailability, VXT.failure},
        VXID["drug/tocilizumab"]: {VXT.contraindication, VXT.unavailability, VXT.failure}}


def test_a_decision_point_label_states_only_its_recorded_conditions(built: Build) -> None:
    """The label of an after-failure point names every kind its conditions record and no other
    (001's "refractory to JAK inhibitors and IL-6 blockade" is no "intolerance"), and every
    intervention it follows."""
    graph = built.graph
    kinds = {k: str(graph.value(k, SKOS.prefLabel)) for k in graph.subjects(SKOS.inScheme, VXT["condition-kinds"])}
    checked = 0
    for point in graph.subjects(VX.decisionKind, VXT["after-failure"]):
        label = str(graph.value(point, RDFS.label))
        recorded = {k for c in graph.objects(point, VX.hasCondition) for k in graph.objects(c, VX.conditionKind)}
        for kind, word in kinds.items():
            assert (re.search(rf"\b{word}\b", label) is not None) == (kind in recorded), (label, word)
        for intervention in graph.objects(point, VX.afterFailureOf):
            assert str(graph.value(intervention, RDFS.label)) in label, (label, str(intervention))
        checked += 1
    assert checked >= 5


def test_every_figure_with_a_timepoint_prints_it_in_one_of_its_quotes(built: Build) -> None:
    """A figure with a timepoint records the words that state it (timepoint_text), and one of its
    quote pieces prints them, so every answer can show the reader the timepoint it compared."""
    graph = built.graph
    checked = 0
    for figure in sorted(graph.subjects(RDF.type, VX.Figure)):
        if graph.value(figure, VX.timepoint) is None and graph.value(figure, VX.timepointLabel) is None:
            continue
        when = graph.value(figure, VX.timepointText)
        assert when is not None, (str(figure), "needs its timepoint_text")
        exacts = [selector(graph, q)[0] for q in graph.objects(figure, VX.hasQuote)]
        assert any(str(when).lower() in normalise(e).lower() for e in exacts), (str(figure), str(when))
        checked += 1
    assert checked >= 20


# ---------------------------------------------------------------- what advice offers, and how

COMPARATIVE_CUE = re.compile(r"\b(?:inferior|superior|compared|than|versus|vs\.?|relative)(?:\s+(?:to|with))?\s+"
                             r"(?:[\w-]+,?\s+){0,3}$", re.IGNORECASE)
ADD_CUE = re.compile(r"\b(?:adding|add|plus|in addition to|combined with|in combination with)\s+(?:[\w-]+\s+){0,2}$",
                     re.IGNORECASE)


def mentions(graph: Graph, claim: URIRef, subject: URIRef) -> list[str]:
    """The text before each place the claim's quote names the subject."""
    text = str(graph.value(claim, RDFS.label))
    return [text[:m.start()] for m in names_pattern(names_of(graph, subject)).finditer(text)]


def test_advice_offers_only_what_it_advises_and_says_what_it_adds(built: Build) -> None:
    """A subject that a piece of advice names only in a comparison ("response rates appear inferior
    to azacitidine and tocilizumab") is recorded as a comparator, never an option; one it adds to
    the current treatment ("or adding azacitidine") is an add-on; and neither is recorded where the
    words do not say so (audit a3 A5: 000's short answer was listed as recommending azacitidine and
    tocilizumab; A4: 001's "adding azacitidine" read as a drug to switch to)."""
    graph = built.graph
    interventions = {i for cls in (VX.Drug, VX.DrugClass, VX.Procedure) for i in graph.subjects(RDF.type, cls)}
    checked = 0
    for claim in sorted(graph.subjects(VX.direction, VXT.recommends)):
        failed = set(graph.objects(claim, VX.conditionIntervention))
        for subject in sorted(set(graph.objects(claim, VX.subject)) & interventions - failed):
            before = mentions(graph, claim, subject)
            if not before:
                continue
            only_compared = all(COMPARATIVE_CUE.search(b) for b in before)
            added = any(ADD_CUE.search(b) for b in before)
            assert ((claim, VX.comparator, subject) in graph) == only_compared, (str(claim), str(subject))
            assert ((claim, VX.addOn, subject) in graph) == added, (str(claim), str(subject))
            checked += 1
    assert checked >= 30
