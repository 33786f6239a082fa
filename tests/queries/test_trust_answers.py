"""Answers a clinician can trust (issue 12, audit a3): treatment-for-presentation, statements and
safety-profile, each rule checked over every row of the real graph."""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import LabelIndex, OxigraphEngine, run_named
from vexas_kg.ontology.vocab import OA, VX, VXT

MEASURE_ROLES = ("initial therapy", "manifestation-specific measure")
PREVENTION_ROLE = "prevention: prevents it, not a treatment once present"


def rows_as_dicts(table: ResultTable) -> list[dict[str, object]]:
    return [dict(zip(table.columns, row)) for row in table.rows]


def presentation_rows(oxigraph: OxigraphEngine, labels: LabelIndex, **params: str) -> list[dict[str, object]]:
    return rows_as_dicts(run_named("treatment-for-presentation", params, oxigraph, labels))


def test_prevention_is_never_offered_as_a_measure_for_a_present_manifestation(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """A patient presenting with herpes zoster, VTE or an infection is never offered the vaccine or
    the prophylaxis as the measure for it (audit a3 A31): every recommending claim's prevention
    link comes out as a prevention row, and no measure row rests on a prevention link."""
    graph = built.graph
    rows = presentation_rows(oxigraph, labels)
    prevention_rows = set()
    for row in rows:
        claim, matched = URIRef(str(row["claim"])), URIRef(str(row["matched"]))
        roles = {graph.value(l, VX.subjectRole) for l in graph.objects(claim, VX.hasSubjectLink)
                 if graph.value(l, VX.linkedSubject) == matched}
        if str(row["role"]) == "manifestation-specific measure":
            assert VXT.indication in roles, (str(claim), str(matched), row["treatment"])
        if str(row["role"]) == PREVENTION_ROLE:
            assert VXT.prevention in roles
            prevention_rows.add((claim, matched))
    expected = {(c, graph.value(l, VX.linkedSubject)) for c, l in graph.subject_objects(VX.hasSubjectLink)
                if graph.value(l, VX.subjectRole) == VXT.prevention and graph.value(c, VX.direction) == VXT.recommends}
    assert expected and expected == prevention_rows
    for manifestation, preventive in (("herpes zoster", "recombinant zoster vaccine"),
                                      ("venous thromboembolism", "thromboprophylaxis"),
                                      ("infection", "anti-infectious prophylaxis")):
        offered = {(str(r["treatment"]), str(r["role"])) for r in presentation_rows(oxigraph, labels, manifestation=manifestation)
                   if str(r["treatment"]) == preventive}
        assert offered == {(preventive, PREVENTION_ROLE)}, (manifestation, offered)


INTERVENTIONS = (VX.Drug, VX.DrugClass, VX.Procedure)
QUALIFIER = re.compile(r"\b(high-dose|low-dose|long-term|short-term|prolonged|systemic|topical|oral|intravenous)\s+$",
                       re.IGNORECASE)


def above(graph: Graph, node: URIRef) -> set[URIRef]:
    """The node and every class above it (vx:memberOf, skos:broader)."""
    seen, todo = {node}, [node]
    while todo:
        current = todo.pop()
        for parent in (*graph.objects(current, VX.memberOf), *graph.objects(current, SKOS.broader)):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_safety_items_never_cross_into_a_class_with_a_route_of_its_own(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """For every intervention: no safety rule or adverse event stated for a broader class reaches it
    through a narrower class or drug with its own route (topical corticosteroids) unless the item
    states that route (audit a3 A52: the systemic taper and "severe side effects" of high-dose
    corticosteroids were listed for eye drops). Prednisone still inherits them."""
    graph = built.graph
    routed_seen = 0
    for node in sorted(s for t in INTERVENTIONS for s in graph.subjects(RDF.type, t)):
        routed = {r: graph.value(r, VX.routeOfAdministration) for r in above(graph, node)
                  if graph.value(r, VX.routeOfAdministration) is not None}
        rows = rows_as_dicts(run_named("safety-profile", {"intervention": str(node)}, oxigraph, labels))
        for row in rows:
            item = URIRef(str(row["item"]))
            targets = set(graph.objects(item, VX.appliesTo)) | set(graph.objects(item, VX.comparedTo))
            stated = {str(r) for r in graph.objects(item, VX.route)}
            reached = {t for t in targets if t in above(graph, node)}
            for r, route in routed.items():
                crossed = {t for t in reached if t != r and t in above(graph, r)}
                assert not crossed or str(route) in stated, (str(node), str(item), str(route))
        routed_seen += bool(routed)
    assert routed_seen
    topical = {str(r["item"]).rsplit("/", 1)[1]
               for r in rows_as_dicts(run_named("safety-profile", {"intervention": "topical corticosteroids"}, oxigraph, labels))}
    assert not topical & {"corticosteroid-taper", "corticosteroid-severe-side-effects"}
    prednisone = {str(r["item"]).rsplit("/", 1)[1]
                  for r in rows_as_dicts(run_named("safety-profile", {"intervention": "prednisone"}, oxigraph, labels))}
    assert {"corticosteroid-taper", "corticosteroid-severe-side-effects"} <= prednisone


def test_an_adverse_event_keeps_the_exposure_qualifier_its_quote_prints(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """Every adverse event whose quote puts a dose, duration or route word right before the name of
    what it applies to ("high-dose corticosteroids, which have severe side effects") records it and
    safety-profile prints it in the description, for the class and for every drug it reaches
    (audit a3 A34: prednisone's row read "severe side effects" at any dose)."""
    graph = built.graph
    checked = 0
    for event in sorted(graph.subjects(RDF.type, VX.AdverseEventReport)):
        quote = " ".join(str(graph.value(sel, OA.exact)) for q in graph.objects(event, VX.hasQuote)
                         for sel in graph.objects(q, OA.hasSelector))
        for target in graph.objects(event, VX.appliesTo):
            for name in (*graph.objects(target, RDFS.label), *graph.objects(target, SKOS.altLabel)):
                at = quote.lower().find(str(name).lower())
                match = QUALIFIER.search(quote[:at]) if at > 0 else None
                if match is None:
                    continue
                assert str(graph.value(event, VX.exposure)).lower() == match.group(1).lower(), (str(event), match.group(1))
                reached = [target, *graph.subjects(VX.memberOf, target)]
                for node in reached:
                    rows = rows_as_dicts(run_named("safety-profile", {"intervention": str(node)}, oxigraph, labels))
                    shown = [str(r["description"]) for r in rows if URIRef(str(r["item"])) == event]
                    assert shown and all(match.group(1).lower() in d.lower() for d in shown), (str(node), shown)
                checked += 1
    assert checked


RECOMMENDING_ROLES = ("initial therapy", "manifestation-specific measure", PREVENTION_ROLE,
                      "after an earlier treatment failed, not a first-presentation measure")


def reaches(graph: Graph, node: URIRef, about: URIRef) -> bool:
    """What is said of ``about`` reaches ``node``: ``about`` is it or a class above it, and no class
    or drug with a route of its own lies between them."""
    if about not in above(graph, node):
        return False
    return not any(graph.value(r, VX.routeOfAdministration) is not None and r != about and about in above(graph, r)
                   for r in above(graph, node))


def expected_caveats(graph: Graph, claim: URIRef, treatment: URIRef) -> set[URIRef]:
    document = graph.value(claim, VX.inDocument)
    out = set()
    for other in graph.subjects(VX.inDocument, document):
        if other == claim or (other, RDF.type, VX.Claim) not in graph:
            continue
        pitfall = graph.value(other, VX.claimKind) == VXT.pitfall
        qualifies = (other, VX.qualifies, claim) in graph
        subjects = set(graph.objects(other, VX.subject))
        names_it = any(reaches(graph, treatment, s) for s in subjects)
        no_intervention = not any((s, RDF.type, t) in graph for s in subjects for t in INTERVENTIONS)
        if (pitfall or qualifies) and (names_it or (qualifies and no_intervention)):
            out.add(other)
    return out


def test_every_recommended_treatment_carries_its_documents_pitfalls_and_qualifications(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """Every row that recommends a treatment carries, in ?caveat, every pitfall of the same document
    about the treatment or a class of it and every statement that qualifies the claim (audit a3 A43:
    prednisone for recurrent fever was listed without "insufficient as monotherapy and require
    concurrent disease-modifying agents" and "Do not rely on corticosteroids alone"); topical
    corticosteroids do not inherit what is said of systemic ones."""
    graph = built.graph
    rows = [r for r in presentation_rows(oxigraph, labels) if str(r["role"]) in RECOMMENDING_ROLES and r["treatment"]]
    checked = 0
    for row in rows:
        claim = URIRef(str(row["claim"]))
        treatment = next(t for t in graph.objects(claim, VX.subject) if str(graph.value(t, RDFS.label)) == str(row["treatment"]))
        expected = expected_caveats(graph, claim, treatment)
        caveat = str(row["caveat"] or "")
        texts = sorted(str(graph.value(c, RDFS.label)) for c in expected)
        if not texts:
            assert caveat == "", (str(claim), row["treatment"], caveat)
            continue
        assert caveat.startswith(texts[0]) and texts[-1] in caveat, (str(claim), row["treatment"], caveat)
        if len(texts) > 2:
            assert f"(and {len(texts) - 2} more)" in caveat
        checked += 1
    assert checked
    # 001's MAS statement (high-dose corticosteroids with anakinra, ciclosporin and/or IFN-γ inhibitors) is not
    # among the claims the "insufficient as monotherapy" statement qualifies; the general check above covers it.
    steroid_rows = [r for r in rows if str(r["document"]).endswith("/001") and str(r["treatment"]) in ("corticosteroids", "prednisone")
                    and not str(r["claim"]).endswith("/claim/screen-for-mas")]
    assert len(steroid_rows) >= 3
    for row in steroid_rows:
        assert "insufficient as monotherapy" in str(row["caveat"]) and "Do not rely on corticosteroids alone" in str(row["caveat"])
    for row in rows:
        if str(row["treatment"]) == "topical corticosteroids":
            assert "corticosteroids alone" not in str(row["caveat"] or "")


def test_a_combination_requirement_qualifies_every_initial_advice_that_offers_the_treatment(built: Build) -> None:
    """A statement that a treatment is not enough on its own ("insufficient as monotherapy",
    "require concurrent …") qualifies every first-presentation recommendation of its document that
    offers the treatment (or a drug of it, not across a route of its own), so the rows show it."""
    graph = built.graph
    pattern = re.compile(r"monotherapy|require[sd]? concurrent|\balone\b", re.IGNORECASE)
    checked = 0
    for claim in sorted(graph.subjects(RDF.type, VX.Claim)):
        if graph.value(claim, VX.claimKind) == VXT.pitfall or not pattern.search(str(graph.value(claim, RDFS.label))):
            continue
        about = {s for s in graph.objects(claim, VX.subject) if any((s, RDF.type, t) in graph for t in INTERVENTIONS)}
        document = graph.value(claim, VX.inDocument)
        for advice in graph.subjects(VX.inDocument, document):
            if graph.value(advice, VX.direction) != VXT.recommends or advice == claim:
                continue
            points = set(graph.objects(advice, VX.decisionPoint))
            if not any(graph.value(p, VX.decisionKind) == VXT["initial-treatment"] for p in points):
                continue
            if any(reaches(graph, t, a) for t in graph.objects(advice, VX.subject) for a in about):
                assert (claim, VX.qualifies, advice) in graph, (str(claim), str(advice))
                checked += 1
    assert checked >= 3


def test_statements_about_a_drug_include_what_the_sources_say_about_its_classes(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """For every drug or class D and every class C above it: each claim about C is listed about D,
    marked "claim about its class C" unless it names D itself, except a claim whose judgement leaves
    D out or across a class with a route of its own (audit a3 A53: tocilizumab's answer left out
    "69% with IL-6 inhibitors" discontinuation and "Serious side effects were almost double with
    IL-6 inhibitors")."""
    graph = built.graph
    checked = 0
    for node in sorted(s for t in (VX.Drug, VX.DrugClass) for s in graph.subjects(RDF.type, t)):
        rows = {URIRef(str(r["claim"])): str(r["via"])
                for r in rows_as_dicts(run_named("statements", {"about": str(node)}, oxigraph, labels))}
        for cls in above(graph, node) - {node}:
            if (cls, RDF.type, VX.DrugClass) not in graph or not reaches(graph, node, cls):
                continue
            for claim in graph.subjects(VX.subject, cls):
                if any(out in above(graph, node) for out in graph.objects(claim, VX.judgementExcludes)):
                    assert not rows.get(claim, "").startswith("claim about its class"), (str(node), str(claim))
                    continue
                assert claim in rows, (str(node), str(claim))
                checked += 1
    assert checked
    tocilizumab = {str(c).rsplit("/", 1)[1]: v for c, v in
                   ((URIRef(str(r["claim"])), str(r["via"]))
                    for r in rows_as_dicts(run_named("statements", {"about": "tocilizumab"}, oxigraph, labels)))}
    assert tocilizumab["discontinuation-difference"] == "claim about its class IL-6 inhibitors"
    assert tocilizumab["serious-side-effects"] == "claim about its class IL-6 inhibitors"
    topical = {str(r["claim"]).rsplit("/", 1)[1]
               for r in rows_as_dicts(run_named("statements", {"about": "topical corticosteroids"}, oxigraph, labels))}
    assert "pitfall-corticosteroids-alone" not in topical


def test_the_citation_status_of_a_statement_says_what_citation_audit_flags(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """Every claim citation-audit flags is never summarised as clean in statements: its status names
    the audit's kinds (audit a3 A2: 000:step-4-hsct cites a reference about tofacitinib and read
    "every marker resolves to a reference entry")."""
    graph = built.graph
    audit: dict[str, set[str]] = {}
    for row in rows_as_dicts(run_named("citation-audit", {}, oxigraph, labels)):
        audit.setdefault(str(row["claim"]), set()).add(str(row["kind"]))
    assert audit
    checked = 0
    for node in sorted(s for t in (VX.Drug, VX.DrugClass, VX.Procedure, VX.Disease) for s in graph.subjects(RDF.type, t)):
        for row in rows_as_dicts(run_named("statements", {"about": str(node)}, oxigraph, labels)):
            kinds = audit.get(str(row["claim"]))
            status = str(row["citationStatus"])
            if not kinds:
                assert "citation-audit flags:" not in status, (str(row["claim"]), status)
                continue
            assert status.startswith("citation-audit flags: ") and min(kinds) in status and max(kinds) in status, \
                (str(row["claim"]), status, kinds)
            if len(kinds) > 2:
                assert f"(and {len(kinds) - 2} more)" in status
            checked += 1
    assert checked >= 5


def test_statements_about_a_study_include_its_stated_limitations(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """For every study, every limitation a document states for it (vx:limitationOf) is among the
    statements about the study, marked so (audit a3 A25: the French registry's answer omitted 004's
    "possible bias in the comparison" and the other two limitations)."""
    graph = built.graph
    checked = 0
    for study in sorted(graph.subjects(RDF.type, VX.Study)):
        limitations = set(graph.subjects(VX.limitationOf, study))
        if not limitations:
            continue
        rows = {URIRef(str(r["claim"])): str(r["via"])
                for r in rows_as_dicts(run_named("statements", {"about": str(study)}, oxigraph, labels))}
        for claim in limitations:
            assert "a stated limitation of the study" in rows.get(claim, ""), (str(study), str(claim), rows.get(claim))
            checked += 1
    assert checked >= 3


def test_statements_name_an_intervention_a_claim_only_compares_with_or_saw_fail(
        built: Build, oxigraph: OxigraphEngine, labels: LabelIndex) -> None:
    """For every drug, class or procedure X and every claim naming X as a comparator or in its condition
    (the therapy that failed), the statements row of that claim about X says so in ?role, by name, so a
    short answer that says tofacitinib's "response rates appear inferior to azacitidine and tocilizumab"
    is not read as advising azacitidine, nor one "who have failed … ruxolitinib" as advising ruxolitinib,
    nor tuberculosis screening "before starting tofacitinib" as advising tofacitinib (audit a3 A5, A18)."""
    graph = built.graph
    checked = 0
    for node in sorted(s for t in INTERVENTIONS for s in graph.subjects(RDF.type, t)):
        named = {c: "comparator (named only to compare with)" for c in graph.subjects(VX.comparator, node)}
        for claim in graph.subjects(VX.conditionIntervention, node):
            named.setdefault(claim, "in its condition (the therapy that failed)")
        for claim in graph.subjects(VX.safetyOf, node):
            named.setdefault(claim, "its safety (the statement gives its risks or the measures it requires)")
        named = {c: why for c, why in named.items() if (c, VX.subject, node) in graph}
        if not named:
            continue
        roles = {URIRef(str(r["claim"])): str(r["role"])
                 for r in rows_as_dicts(run_named("statements", {"about": str(node)}, oxigraph, labels))}
        for claim, why in named.items():
            assert f"{graph.value(node, RDFS.label)}: {why}" in roles[claim], (str(node), str(claim), roles[claim])
            checked += 1
    assert checked >= 11
