"""Audit a3 findings re-checked by a5 (A36, A30, A28, A37, A25 ...): each rule over every row of
the real graph, so that the whole class of defect fails, not only the listed example."""

from __future__ import annotations

import re

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.paths import ZeroOrMore

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, label_key, run_named
from vexas_kg.ontology.vocab import VX, VXT


def rows_as_dicts(table: ResultTable) -> list[dict[str, object]]:
    return [dict(zip(table.columns, row)) for row in table.rows]


def test_an_outcome_parameter_finds_every_study_arm_figure_of_that_outcome(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A36: `outcome=infection` answered "(0 rows)" although the graph has 000's 47 % infection figure.
    For every measure some study-arm figure reports, the outcome parameter (by its label and by its
    IRI) returns every such figure: no accepted outcome value is answered with a silent empty table."""
    graph = built.graph
    by_measure: dict[URIRef, set[URIRef]] = {}
    for figure in graph.subjects(RDF.type, VX.Figure):
        if graph.value(figure, VX.arm) is not None and graph.value(figure, VX.study) is not None:
            by_measure.setdefault(graph.value(figure, VX.measure), set()).add(figure)
    assert URIRef("https://w3id.org/vexas-kg/terms/infection") in by_measure
    for measure, figures in sorted(by_measure.items()):
        for value in (str(graph.value(measure, SKOS.prefLabel)), str(measure)):
            table = run_named("comparative-efficacy", {"outcome": value}, oxigraph, labels)
            found = {URIRef(str(row["figure"])) for row in rows_as_dicts(table)}
            assert found == figures, (value, sorted(figures - found), sorted(found - figures))


def test_evidence_overview_counts_a_designs_documents_over_its_studies(
        built: Build, oxigraph: OxigraphEngine) -> None:
    """A30: "case report" and "retrospective cohort study" had documents = 0 while their studies' rows said 1.
    Every row that counts a study counts at least one document (a study is always described somewhere), and a
    design's documents, studies, figures and claims are those of its studies, counted the way the study rows
    count them."""
    graph = built.graph
    oa_source = URIRef("http://www.w3.org/ns/oa#hasSource")

    def documents_of(study: URIRef) -> set:
        described = {graph.value(quote, oa_source) for quote in graph.objects(study, VX.hasQuote)}
        reported = {graph.value(f, VX.inDocument) for f in graph.subjects(VX.study, study)
                    if (f, RDF.type, VX.Figure) in graph}
        return (described | reported) - {None}

    rows = rows_as_dicts(run_named("evidence-overview", {}, oxigraph))
    designs = [row for row in rows if str(row["dimension"]) == "study design"]
    assert len(designs) >= 4
    for row in rows:
        if int(row["studies"]) > 0:
            assert int(row["documents"]) > 0, row
    for row in designs:
        studies = set(graph.subjects(VX.studyDesign, URIRef(str(row["entity"]))))
        figures = {f for s in studies for f in graph.subjects(VX.study, s) if (f, RDF.type, VX.Figure) in graph}
        claims = {c for f in figures for c in graph.objects(f, VX.statedIn)}
        documents = set().union(*(documents_of(s) for s in studies))
        assert (int(row["studies"]), int(row["documents"]), int(row["figures"]), int(row["claims"])) == \
            (len(studies), len(documents), len(figures), len(claims)), row["label"]


def test_every_treatment_row_carries_the_preference_its_document_states(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A28: 001's "Option 1: JAK Inhibitor (Preferred for most patients)" reached no treatment-for-presentation row,
    so JAK and IL-6 inhibitors read as equal initial options. For every ranked claim (vx:preferenceRank) and every
    row whose claim is in the same document, shares one of its decision points and offers one of its interventions
    or a member of it, the row's preference quotes the ranked claim and its rank (and the claim it disputes); no row
    shows a preference no ranked claim gives; and every row keeps its claim's own wording verbatim (its hedges:
    "may be considered", "if needed")."""
    graph = built.graph
    by_label = {str(label): node for node, label in graph.subject_objects(RDFS.label)
                if any((node, RDF.type, kind) in graph for kind in (VX.Drug, VX.DrugClass, VX.Procedure))}

    def points(claim: URIRef) -> set:
        own = set(graph.objects(claim, VX.decisionPoint))
        return own or {p for a in graph.objects(claim, VX.partOfAlgorithm) for p in graph.objects(a, VX.decisionPoint)}

    def classes(node: URIRef) -> set:
        return set(graph.objects(node, (VX.memberOf | SKOS.broader) * ZeroOrMore))

    ranked = list(graph.subjects(VX.preferenceRank, None))
    assert len(ranked) >= 4
    rows = rows_as_dicts(run_named("treatment-for-presentation", {}, oxigraph, labels))
    checked = 0
    for row in rows:
        claim = URIRef(str(row["claim"]))
        assert str(row["statement"]) == str(graph.value(claim, RDFS.label))
        if row["treatment"] is None:
            continue
        treatment = by_label[str(row["treatment"])]
        recommends = graph.value(claim, VX.direction) == VXT.recommends
        expected = [r for r in ranked if recommends and graph.value(r, VX.inDocument) == graph.value(claim, VX.inDocument)
                    and set(graph.objects(r, VX.decisionPoint)) & points(claim)
                    and set(graph.objects(r, VX.subject)) & classes(treatment)]
        preference = str(row["preference"] or "")
        for r in expected:
            assert f"rank {graph.value(r, VX.preferenceRank)} " in preference and str(graph.value(r, RDFS.label)) in preference, \
                (str(claim), row["treatment"], str(r))
            for disputed in graph.objects(r, VX.disputes):
                assert str(graph.value(disputed, RDFS.label)) in preference
            checked += 1
        if not expected:
            assert preference == "", (str(claim), row["treatment"], preference)
    assert checked >= 10
    jak = [r for r in rows if str(r["claim"]).endswith("/001/claim/short-answer") and str(r["treatment"]) == "JAK inhibitors"]
    assert jak and all("Preferred for most patients" in str(r["preference"]) for r in jak)


def test_a_publication_is_never_labelled_like_the_topic_it_is_named_after(
        built: Build, oxigraph: OxigraphEngine) -> None:
    """A37: citation-audit said "the entry identifies VEXAS syndrome, not a publication of the study": reference 1
    of 000 is a review titled "VEXAS syndrome." (International journal of hematology, 2025, 000 lines 90-94), but its
    label was the bare title, the disease's name. Every publication's label carries the journal and year the table
    gives (so no publication shares a label with a disease, drug or study), and every citation warning that names
    an entry's publication names it that way."""
    graph = built.graph
    publications = set(graph.subjects(RDF.type, VX.Publication))
    assert len(publications) >= 8
    others = {label_key(str(label)) for node, label in graph.subject_objects(RDFS.label) if node not in publications}
    others |= {label_key(str(label)) for node, label in graph.subject_objects(SKOS.prefLabel)}
    for publication in publications:
        label = str(graph.value(publication, RDFS.label))
        assert label_key(label) not in others, label
        for part in (graph.value(publication, VX.container), graph.value(publication, VX.year)):
            if part is not None:
                assert str(part) in label, (label, str(part))
        if "year inferred" in str(graph.value(publication, VX.verificationStatus) or ""):
            assert "year inferred" in label, label
    rows = rows_as_dicts(run_named("citation-audit", {}, oxigraph))
    warned = [str(row["detail"]) for row in rows if "identifies " in str(row["detail"])]
    assert warned
    for detail in warned:
        assert not detail.split("identifies ", 1)[1].startswith("VEXAS syndrome,"), detail
        assert "identifies no known publication" in detail or \
            any(str(graph.value(p, RDFS.label)) in detail for p in publications), detail


def test_statements_about_a_study_include_its_non_numeric_results(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A25 (rest): `statements about=FRENVEX` gave the favourable conclusions without 004's "similar" statements,
    its headline and its side-effect comparison; the UK cohort's answer missed 000's sentence introducing it.
    For every study: every claim calling one of its figures similar, and every claim whose quote overlaps a passage
    describing the study, is in the answer; and no claim tied to another study's figures only is."""
    graph = built.graph
    oa = "http://www.w3.org/ns/oa#"

    def spans(node: URIRef) -> set[tuple]:
        found = set()
        for quote in graph.objects(node, VX.hasQuote):
            for selector in graph.objects(quote, URIRef(oa + "hasSelector")):
                start, end = graph.value(selector, URIRef(oa + "start")), graph.value(selector, URIRef(oa + "end"))
                if start is not None:
                    found.add((graph.value(quote, URIRef(oa + "hasSource")), int(start), int(end)))
        return found

    claims = list(graph.subjects(RDF.type, VX.Claim))
    for study in graph.subjects(RDF.type, VX.Study):
        answer = {URIRef(str(r["claim"])) for r in rows_as_dicts(run_named("statements", {"about": str(study)},
                                                                             oxigraph, labels))}
        figures = set(graph.subjects(VX.study, study))
        described = spans(study)
        for claim in claims:
            if set(graph.objects(claim, VX.callsSimilar)) & figures:
                assert claim in answer, (str(study), str(claim))
            if any(d == doc and s < e2 and s2 < e for d, s, e in described for doc, s2, e2 in spans(claim)):
                assert claim in answer, (str(study), str(claim))
            tied = {graph.value(f, VX.study) for f in graph.subjects(VX.statedIn, claim)} - {None}
            if tied and study not in tied and not set(graph.objects(claim, VX.callsSimilar)) & figures:
                assert claim not in answer or (claim, VX.limitationOf, study) in graph, (str(study), str(claim))

    def short(about: str) -> set[str]:
        return {str(r["claim"]).split("/id/doc/")[1] for r in rows_as_dicts(run_named("statements", {"about": about},
                                                                                      oxigraph, labels))}

    frenvex = short("FRENVEX")
    for claim in ("004/claim/headline-finding", "004/claim/similar-response-surprising",
                  "004/claim/steroid-withdrawal-similar", "004/claim/serious-side-effects"):
        assert claim in frenvex
    uk = short("UK cohort")
    assert "000/claim/uk-cohort-most-relevant" in uk
    assert "000/claim/ruxolitinib-favorable-responses" not in uk  # it cites another reference (000's 2)


OUTCOME_WORDS = r"(?:reduction|reduc\w*|improv\w*|decreas\w*|lower\w*|normali[sz]\w*|resolution)"


def test_an_outcome_a_claim_reports_is_never_an_indication(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A45: 000's "Tocilizumab - 64% response rate with excellent CRP reduction" made elevated CRP an indication of
    tocilizumab (a row for a patient presenting with elevated CRP). No indication link rests on a quote that names
    the manifestation only beside an outcome word ("CRP reduction", "improvement in hemoglobin") and never with
    indication wording ("for", "given the", "patients with", "presenting with", "if"); and no treatment-for-presentation row for
    elevated CRP comes from 000's tocilizumab statements."""


    graph = built.graph
    checked = 0
    indications = [(claim, graph.value(link, VX.linkedSubject)) for claim, link in graph.subject_objects(VX.hasSubjectLink)
                   if graph.value(link, VX.subjectRole) == VXT.indication]
    for claim, manifestation in indications:
        quote = str(graph.value(claim, RDFS.label))
        names = [str(n) for p in (RDFS.label, SKOS.altLabel) for n in graph.objects(manifestation, p)]
        terms = {w for n in names for w in re.findall(r"[A-Za-z]{3,}", n)
                 if w.lower() not in ("elevated", "the", "and", "with")}
        if "CRP" in " ".join(names) or "C-reactive" in " ".join(names):
            terms.add("CRP")
        term = "(?:" + "|".join(map(re.escape, sorted(terms))) + ")" if terms else None
        if term is None:
            continue
        as_outcome = re.search(rf"{term}\W+(?:\w+\W+){{0,1}}{OUTCOME_WORDS}|{OUTCOME_WORDS}\W+(?:\w+\W+){{0,2}}{term}",
                               quote, re.IGNORECASE)
        as_indication = re.search(rf"\b(?:for|given the|patients with|presenting with|if)\W+(?:\w+\W+){{0,2}}{term}",
                                  quote, re.IGNORECASE)
        assert not as_outcome or as_indication, (str(claim), str(manifestation), quote)
        checked += 1
    assert checked >= 10
    rows = rows_as_dicts(run_named("treatment-for-presentation", {"manifestation": "elevated CRP"}, oxigraph, labels))
    assert not [r for r in rows if "/doc/000/claim/" in str(r["claim"]) and str(r["treatment"]) == "tocilizumab"]
    roles = rows_as_dicts(run_named("statements", {"about": "elevated CRP"}, oxigraph, labels))
    step2 = [r for r in roles if str(r["claim"]).endswith("/000/claim/step-2-tocilizumab")]
    assert step2 and "reported outcome" in str(step2[0]["role"])


def test_every_complication_a_recommendation_names_with_its_treatments_has_a_role(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A32: 001's "Screen actively for macrophage activation syndrome (MAS) … requires high-dose corticosteroids,
    anakinra, ciclosporin, and/or IFN-γ inhibitors" gave MAS no role, so no query could say what the source names
    for MAS (`manifestation=MAS` was refused as a disease). Every recommending claim that names an intervention and
    a disease other than the one every document discusses gives that disease a role; and treatment-for-presentation
    answers MAS with the four treatments 001 names, as measures for it, beside its screening."""
    graph = built.graph
    documents = set(graph.subjects(RDF.type, VX.Document))
    topic = {d for d in graph.subjects(RDF.type, VX.Disease)
             if {graph.value(c, VX.inDocument) for c in graph.subjects(VX.subject, d)} >= documents}
    assert topic
    interventions = (VX.Drug, VX.DrugClass, VX.Procedure)
    for claim in graph.subjects(VX.direction, VXT.recommends):
        subjects = set(graph.objects(claim, VX.subject))
        if not any((s, RDF.type, t) in graph for s in subjects for t in interventions):
            continue
        linked = {graph.value(link, VX.linkedSubject) for link in graph.objects(claim, VX.hasSubjectLink)}
        for disease in subjects:
            if (disease, RDF.type, VX.Disease) in graph and disease not in topic:
                assert disease in linked, (str(claim), str(disease))
    rows = rows_as_dicts(run_named("treatment-for-presentation", {"manifestation": "MAS"}, oxigraph, labels))
    measures = {str(r["treatment"]) for r in rows if str(r["role"]) == "manifestation-specific measure"}
    assert measures == {"corticosteroids", "anakinra", "ciclosporin", "IFN-γ inhibitors"}
    assert any(str(r["role"]) == "monitoring" for r in rows)


def test_study_summary_gives_each_figure_its_qualifiers_and_each_criterion_its_combination(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A13: study-summary gave baricitinib's 40 % and "0 patients" without "of the five patients who continued
    therapy", and the 2.47 risk ratio without CI or p. A14: 004's no-response criteria ("continued disease activity
    or inflammation and/or the inability to reduce steroids": either suffices) read like the complete-response
    ones (all required). For every study: each figure row names its population, N (and n), comparator, and
    carries its CI and p value as the graph prints them; each criterion row quotes its definition as printed."""
    graph = built.graph
    for study in graph.subjects(RDF.type, VX.Study):
        rows = rows_as_dicts(run_named("study-summary", {"study": str(study)}, oxigraph, labels))
        by_item: dict[str, list[dict]] = {}
        for row in rows:
            by_item.setdefault(str(row["item"]), []).append(row)
        for figure in graph.subjects(VX.study, study):
            if (figure, RDF.type, VX.Figure) not in graph:
                continue
            (row,) = by_item[str(figure)]
            text = str(row["text"])
            for prop in (VX.populationNote, VX.comparatorLabel, VX.denominator, VX.numerator):
                value = graph.value(figure, prop)
                if value is not None:
                    assert str(value) in text, (str(figure), prop, text)
            for prop, column in ((VX.ciLower, "ciLower"), (VX.ciUpper, "ciUpper"), (VX.pValue, "pValue")):
                value = graph.value(figure, prop)
                assert (None if value is None else str(value)) == (None if row[column] is None else str(row[column]))
        for definition in graph.objects(study, VX.hasResponseDefinition):
            printed = graph.value(definition, VX.definitionText)
            for row in by_item.get(str(definition), []):
                assert printed is None or str(printed) in str(row["text"]), row["text"]


def test_every_initial_therapy_row_says_the_presentation_it_is_for(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A26: for anaemia alone, 001's "Day 1: Start prednisone 40-60 mg daily + initiate ruxolitinib or
    tocilizumab/siltuximab" came with an empty condition, though it belongs to the answer for recurrent fever,
    raised ESR/CRP, episcleritis *and* macrocytic anemia together. Every initial-therapy row has a condition, and
    it contains the presentation of its document's short answer where the claim states none of its own."""
    graph = built.graph
    rows = rows_as_dicts(run_named("treatment-for-presentation", {}, oxigraph, labels))
    initial = [r for r in rows if str(r["role"]) == "initial therapy"]
    assert initial
    for row in initial:
        claim = URIRef(str(row["claim"]))
        assert str(row["condition"] or ""), (str(claim), row["treatment"])
        own = graph.value(claim, VX.condition)
        if own is None:
            answers = [a for a in graph.subjects(VX.claimKind, VXT["short-answer"])
                       if graph.value(a, VX.inDocument) == graph.value(claim, VX.inDocument)]
            assert any(str(graph.value(a, VX.condition)) in str(row["condition"]) for a in answers), row["condition"]


DANGLING = re.compile(r"\b(?:particularly|especially|due to|with|of|and|or|the|a|an|in|to|for|by|than|including)\W*$",
                      re.IGNORECASE)


def test_a_risk_as_printed_says_on_its_own_what_the_risk_is(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A48: safety-profile's risk cells "Increased infection risk, particularly" (herpes zoster …) and "primarily due
    to severe injection-site reactions" (anakinra, without the 62 % discontinuation it qualifies) lost what they
    qualify. Every adverse event's risk as printed names its event (or gives a number) and does not stop on a
    function word; and safety-profile shows it so."""
    graph = built.graph
    checked = 0
    for event, risk in graph.subject_objects(VX.riskStatement):
        label = str(graph.value(event, VX.eventLabel))
        names_event = any(w in str(risk).lower() for w in re.findall(r"[a-z]{4,}", label.lower()))
        assert names_event or re.search(r"\d", str(risk)), (str(event), str(risk))
        assert not DANGLING.search(str(risk)), (str(event), str(risk))
        checked += 1
    assert checked >= 8
    rows = rows_as_dicts(run_named("safety-profile", {"intervention": "anakinra"}, oxigraph, labels))
    assert any("62%" in str(r.get("risk") or "") for r in rows)
