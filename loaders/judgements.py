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
LABELS = {
    "initial-treatment": "first presentation (initial treatment)",
    "ongoing-care": "ongoing care (monitoring, tapering, supportive care)",
    "specific-situation": "a specific situation (subgroup or complication)",
}


def decision_point_iri(kind: str, failed: list[str]) -> URIRef:
    """One node per decision point: the same moment in two documents is the same IRI."""
    if kind == "after-failure":
        return iris.instance(f"decision-point/after-failure/{'+'.join(sorted(set(failed)))}")
    return iris.instance(f"decision-point/{kind}")


def decision_point(loader: "_Loader", node: URIRef, f: Fields, failed: list[str], required: bool) -> None:
    """Read ``decision_point`` and link ``node`` to its (shared) decision point node."""
    kind = f.choice("decision_point", set(model.scheme("decision-kinds")), required=required)
    if kind is None:
        return
    if (kind == "after-failure") != bool(failed):
        raise f.error("decision_point", "after-failure needs condition_interventions (the interventions that failed), "
                      "and only after-failure takes them")
    point = decision_point_iri(kind, failed)
    loader.add(node, VX.decisionPoint, point)
    loader.add(point, RDF.type, VX.DecisionPoint)
    loader.add(point, VX.decisionKind, iris.term(kind))
    if kind == "after-failure":
        names = []
        for slug in sorted(set(failed)):
            loader.add(point, VX.afterFailureOf, loader.entity(f, "condition_interventions", slug,
                                                               {"drug", "drug-class", "procedure"}))
            names.append(slug)
        loader.add(point, RDFS.label, Literal(f"after failure or intolerance of {' and '.join(names)}"))
    else:
        loader.add(point, RDFS.label, Literal(LABELS[kind]))


def claim_context(loader: "_Loader", node: URIRef, f: Fields, kind: str | None, direction: str | None,
                  failed: list[str]) -> None:
    """The rule inputs of a claim (see the module docstring)."""
    advice = kind in ADVICE_KINDS and direction == "recommends"
    decision_point(loader, node, f, failed, required=advice)
    rank = f.integer("preference_rank", required=False)
    if rank is not None:
        if not f.has("decision_point"):
            raise f.error("preference_rank", "a preference rank needs the decision point it ranks at")
        if rank < 1:
            raise f.error("preference_rank", "ranks start at 1 (the first choice)")
        loader.lit(node, VX.preferenceRank, rank, XSD.positiveInteger)
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
