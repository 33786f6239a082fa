"""Claim context that the comparison and contrast rules read: the decision point a piece of
advice is for, the rank the source gives it there, which figures the source calls similar,
which interventions it judges effective or not, and which claims it qualifies.

Kept apart from the record loader so each rule's input is one small, documented field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from vexas_kg import model
from vexas_kg.loaders.fields import Fields
from vexas_kg.ontology import iris
from vexas_kg.ontology.vocab import VX

if TYPE_CHECKING:
    from vexas_kg.loaders.evidence import RecordLoader as _Loader

ADVICE_KINDS = {"short-answer", "recommendation", "algorithm-step"}
UNNAMED = "unnamed"
LABELS = {
    "initial-treatment": "first presentation (initial treatment)",
    "ongoing-care": "ongoing care (monitoring, tapering, supportive care)",
    "specific-situation": "a specific situation (subgroup or complication)",
}


Conditions = list[tuple[tuple[str, ...], tuple[str, ...]]]
"""An after-failure point's conditions: (intervention slugs, empty for a therapy the source does
not name; the condition kinds the source prints for them), in label order."""


def decision_point_iri(kind: str, conditions: Conditions, quantifier: str | None = None) -> URIRef:
    """One node per decision point: the same moment in two documents is the same IRI, and a moment
    is its interventions with what happened to them ("after failure of X" and "after failure or
    intolerance of X" are different moments). After the failure of an earlier therapy the source
    does not name, the interventions are ``unnamed``."""
    if kind == "after-failure":
        parts = "/".join(f"{'+'.join(slugs) or UNNAMED}/{'+'.join(kinds)}" for slugs, kinds in sorted(conditions))
        return iris.instance(f"decision-point/after-failure/{'any-of/' if quantifier == 'any-failed' else ''}{parts}")
    return iris.instance(f"decision-point/{kind}")


def _either(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def decision_label(conditions: Conditions, names: dict[str, str], quantifier: str | None) -> str:
    """The label of an after-failure point, built from its recorded conditions only: "after
    failure or intolerance of ruxolitinib; and contraindication, failure or unavailability of
    both azacitidine and tocilizumab"."""
    phrases = []
    for slugs, kinds in conditions:
        what = _either(list(kinds), "or")
        labels = [names[slug] for slug in slugs]
        if not labels:
            phrases.append(f"{what} of an earlier therapy the source does not name")
        elif len(labels) == 1:
            phrases.append(f"{what} of {labels[0]}")
        elif quantifier == "any-failed":
            phrases.append(f"{what} of {'either ' if len(labels) == 2 else 'any one of '}{_either(labels, 'or')}")
        else:
            phrases.append(f"{what} of {'both ' if len(labels) == 2 else 'all of '}{_either(labels, 'and')}")
    return "after " + ("; or " if quantifier == "any-failed" else "; and ").join(phrases)


def _in_scheme(f: Fields, key: str, values: list[str], scheme: str, noun: str) -> None:
    """Each of ``values`` is a term of the vocabulary ``scheme``, none twice."""
    allowed = set(model.scheme(scheme))
    for value in values:
        if value not in allowed:
            raise f.error(key, f"{value!r} is not one of: {', '.join(sorted(allowed))}")
    if len(set(values)) != len(values):
        raise f.error(key, f"{noun} is listed twice")


def _kinds(f: Fields, key: str) -> tuple[str, ...]:
    kinds = f.slugs(key)
    if not kinds:
        raise f.error(key, "give what the source says happened "
                      f"(one or more of: {', '.join(sorted(model.scheme('condition-kinds')))})")
    _in_scheme(f, key, kinds, "condition-kinds", "a condition kind")
    return tuple(sorted(kinds))


def conditions(f: Fields, failed: list[str]) -> Conditions:
    """Read ``condition_kinds``: what the source says happened to the earlier interventions, only
    as it prints it. A list of kinds (``[failure, intolerance]``) holds for all of them; entries
    ``{of, kinds}`` are for a source that says different things of different interventions ("When
    ruxolitinib has failed or is not tolerated" … "only if azacitidine and tocilizumab are
    contraindicated, unavailable, or have failed")."""
    if not f.holds_mappings("condition_kinds"):
        return [(tuple(sorted(set(failed))), _kinds(f, "condition_kinds"))]
    groups: Conditions = []
    seen: set[str] = set()
    for entry in f.items("condition_kinds"):
        of = entry.slugs("of")
        if not of:
            raise entry.error("of", "name the condition_interventions this entry is about")
        for slug in of:
            if slug not in failed:
                raise entry.error("of", f"{slug!r} is not one of condition_interventions")
            if slug in seen:
                raise entry.error("of", f"{slug!r} is in two entries")
            seen.add(slug)
        groups.append((tuple(sorted(set(of))), _kinds(entry, "kinds")))
        entry.done()
    missing = sorted(set(failed) - seen)
    if missing:
        raise f.error("condition_kinds", f"give the condition kinds of: {', '.join(missing)}")
    return sorted(groups, key=lambda group: (len(group[1]), group[0]))


def decision_point(loader: "_Loader", node: URIRef, f: Fields, failed: list[str], required: bool) -> list[str]:
    """Read ``decision_point`` (one kind, or a list where one sentence gives advice for several
    moments: "for patients with myelodysplastic features or those refractory to ...") and link
    ``node`` to each (shared) decision point node. An after-failure point needs
    ``condition_kinds`` (see :func:`conditions`), and several failed interventions need
    ``failure_of``: all-failed ("refractory to JAK inhibitors and IL-6 blockade") or any-failed
    ("switching between JAK inhibitor and IL-6 blockade"), which are different moments.
    Returns the kinds read."""
    if required and not f.has("decision_point"):
        f.text("decision_point")  # raises the usual missing-field error
    kinds = f.texts("decision_point")
    _in_scheme(f, "decision_point", kinds, "decision-kinds", "a decision point")
    if kinds and failed and "after-failure" not in kinds:
        raise f.error("decision_point", "condition_interventions (the interventions that failed) belong to an "
                      "after-failure decision point; add after-failure or drop them")
    after = "after-failure" in kinds
    if f.has("condition_kinds") and not after:
        raise f.error("condition_kinds", "condition_kinds say what happened before an after-failure decision point; "
                      "add after-failure or drop them")
    if after and not f.has("condition_kinds"):
        raise f.error("condition_kinds", "an after-failure decision point says what the source says happened "
                      f"(condition_kinds: one or more of {', '.join(sorted(model.scheme('condition-kinds')))})")
    recorded = conditions(f, failed) if after else []
    several = after and len(set(failed)) > 1
    quantifier = f.choice("failure_of", set(model.scheme("failure-quantifiers")), required=several)
    if quantifier is not None and not several:
        raise f.error("failure_of", "failure_of says whether all or any of several failed interventions failed; "
                      "give it only with two or more condition_interventions")
    for kind in kinds:
        point = decision_point_iri(kind, recorded, quantifier)
        loader.add(node, VX.decisionPoint, point)
        loader.add(point, RDF.type, VX.DecisionPoint)
        loader.add(point, VX.decisionKind, iris.term(kind))
        if kind != "after-failure":
            loader.add(point, RDFS.label, Literal(LABELS[kind]))
            continue
        names = {}
        for slugs, condition_kinds in recorded:
            for slug in slugs or (UNNAMED,):
                condition = URIRef(f"{point}/condition/{slug}")
                loader.add(point, VX.hasCondition, condition)
                loader.add(condition, RDF.type, VX.DecisionCondition)
                for condition_kind in condition_kinds:
                    loader.add(condition, VX.conditionKind, iris.term(condition_kind))
                if slug != UNNAMED:
                    entity = loader.entity(f, "condition_interventions", slug, {"drug", "drug-class", "procedure"})
                    loader.add(point, VX.afterFailureOf, entity)
                    loader.add(condition, VX.conditionOn, entity)
                    names[slug] = loader.entities[slug].label or slug
                who = names.get(slug, "an earlier therapy the source does not name")
                loader.add(condition, RDFS.label, Literal(f"{_either(list(condition_kinds), 'or')} of {who}"))
        if quantifier is not None:
            loader.add(point, VX.failureQuantifier, iris.term(quantifier))
        loader.add(point, RDFS.label, Literal(decision_label(recorded, names, quantifier)))
    return kinds


def claim_context(loader: "_Loader", node: URIRef, f: Fields, kind: str | None, direction: str | None,
                  failed: list[str]) -> None:
    """The rule inputs of a claim (see the module docstring)."""
    advice = kind in ADVICE_KINDS and direction == "recommends"
    kinds = decision_point(loader, node, f, failed, required=advice)
    rank = f.integer("preference_rank", required=False)
    if rank is not None:
        if len(kinds) != 1:
            raise f.error("preference_rank", "a preference rank needs the one decision point it ranks at")
        if rank < 1:
            raise f.error("preference_rank", "ranks start at 1 (the first choice)")
        loader.lit(node, VX.preferenceRank, rank, XSD.positiveInteger)
    subjects = set(f.slugs("subjects"))
    for key, prop, what in (("comparators", VX.comparator, "names only to compare its options with"),
                            ("add_on", VX.addOn, "adds to the current treatment")):
        for slug in f.slugs(key):
            if slug not in subjects:
                raise f.error(key, f"{slug!r} is not one of the claim's subjects")
            if direction != "recommends":
                raise f.error(key, f"only advice (direction recommends) has subjects it {what}")
            loader.add(node, prop, loader.entity(f, key, slug, {"drug", "drug-class", "procedure"}))
    if set(f.slugs("comparators")) & set(f.slugs("add_on")):
        raise f.error("add_on", "a comparator is not an option the advice adds")
    for slug in f.slugs("safety_of"):
        if slug not in subjects:
            raise f.error("safety_of", f"{slug!r} is not one of the claim's subjects")
        if kind != "safety-statement":
            raise f.error("safety_of", "only a safety statement states the safety of an intervention")
        loader.add(node, VX.safetyOf, loader.entity(f, "safety_of", slug, {"drug", "drug-class", "procedure"}))
    doc = loader.out.doc_id
    for other, target, loc in f.refs("calls_similar"):
        if other not in (None, doc):
            raise f.error("calls_similar", "a claim calls figures of its own document similar")
        loader.need("figure", f"{doc}:{target}", loc)
        loader.add(node, VX.callsSimilar, iris.item_iri(doc, "figure", target))
    for key, prop in (("judges_effective", VX.judgesEffective), ("judges_ineffective", VX.judgesIneffective),
                      ("judgement_excludes", VX.judgementExcludes)):
        for slug in f.slugs(key):
            loader.add(node, prop, loader.entity(f, key, slug, {"drug", "drug-class", "procedure"}))
    if f.has("judgement_excludes") and not f.has("judges_ineffective"):
        raise f.error("judgement_excludes", "judgement_excludes narrows a judges_ineffective judgement of a class")
    for other, target, loc in f.refs("qualifies"):
        if other not in (None, doc):
            raise f.error("qualifies", "a claim qualifies claims of its own document (the source qualifying itself)")
        loader.need("claim", f"{doc}:{target}", loc)
        loader.add(node, VX.qualifies, iris.item_iri(doc, "claim", target))
    study = f.slug("limitation_of", required=kind == "limitation")
    if study is not None:
        if kind != "limitation":
            raise f.error("limitation_of", "only a claim of kind limitation names the study it limits")
        loader.need("study", study, f.where("limitation_of"))
        loader.add(node, VX.limitationOf, iris.study_iri(study))


def subject_links(loader: "_Loader", node: URIRef, f: Fields, subjects: list[str]) -> None:
    """Read ``subject_roles``: the role the claim gives each manifestation it names (indication,
    prevention, caution, monitored, context), optionally for some of its interventions only. Every
    manifestation among the subjects needs one, so "infection risk (47%)" can never read as an
    indication for tocilizumab."""
    roles = set(model.scheme("subject-roles"))
    manifestations = {slug for slug in subjects if loader.entities[slug].kind == "phenotype"}
    given: set[str] = set()
    for entry in f.items("subject_roles"):
        slug = entry.slug("subject") or ""
        if slug not in subjects:
            raise entry.error("subject", f"{slug!r} is not one of the claim's subjects")
        role = entry.choice("role", roles) or ""
        link = URIRef(f"{node}/subject/{slug}/{role}")
        if slug + "/" + role in given:
            raise entry.error("role", f"{slug!r} has the role {role!r} twice")
        given.add(slug + "/" + role)
        loader.add(node, VX.hasSubjectLink, link)
        loader.add(link, RDF.type, VX.SubjectLink)
        loader.add(link, VX.linkedSubject, loader.entities[slug].iri)
        loader.add(link, VX.subjectRole, iris.term(role))
        scope = entry.slugs("for")
        for target in scope:
            if target not in subjects:
                raise entry.error("for", f"{target!r} is not one of the claim's subjects")
            loader.add(link, VX.roleFor, loader.entity(entry, "for", target, {"drug", "drug-class", "procedure"}))
        loader.add(link, RDFS.label, Literal(f"{slug}: {role}" + (f" (for {', '.join(scope)})" if scope else "")))
        entry.done()
    missing = sorted(manifestations - {g.split("/")[0] for g in given})
    if missing:
        raise f.error("subject_roles", f"give the role (one of: {', '.join(sorted(roles))}) of each manifestation "
                      f"the claim names: {', '.join(missing)}")
