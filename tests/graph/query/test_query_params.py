"""Parameter binding: labels become IRIs, values become typed literals, and nothing a user
types ever reaches the query text (bad values fail with a UsageError that says why)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Identifier

from vexas_kg.errors import UsageError
from vexas_kg.graph.builder.assemble import Build
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import (
    LabelIndex,
    OxigraphEngine,
    RdflibEngine,
    named,
    parse_params,
    prepare,
    run_named,
    run_query,
    user_query,
)
from vexas_kg.ontology.vocab import VX, VXID, VXT

RUXOLITINIB = VXID["drug/ruxolitinib"]
JAKI = VXID["drug-class/jak-inhibitor"]


@pytest.fixture(scope="module")
def labels(built: Build) -> LabelIndex:
    return LabelIndex.from_graph(built.graph)


class Spy:
    """An engine that records what it is asked and answers with no rows."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Identifier]]] = []

    def select(self, query: str, bindings: Mapping[str, Identifier]) -> ResultTable:
        self.calls.append((query, dict(bindings)))
        return ResultTable(("x",), ())


@pytest.mark.parametrize("value", [
    "ruxolitinib", "Ruxolitinib", "  ruxolitinib ", "drug/ruxolitinib", "vxid:drug/ruxolitinib",
    str(RUXOLITINIB), f"<{RUXOLITINIB}>",
])
def test_a_drug_is_named_by_label_id_or_iri(value: str, labels: LabelIndex) -> None:
    assert prepare(named("alternatives-after-failure"), {"drug": value}, labels) == {"drug": RUXOLITINIB}


@pytest.mark.parametrize(("value", "expected"), [
    ("JAKi", JAKI), ("JAK inhibitors", JAKI), ("jak inhibitor", JAKI),
    ("allogeneic HSCT", VXID["procedure/allogeneic-hsct"]), ("tocilizumab", VXID["drug/tocilizumab"]),
])
def test_alternative_labels_resolve(value: str, expected: URIRef, labels: LabelIndex) -> None:
    assert prepare(named("comparative-efficacy"), {"intervention": value}, labels) == {"intervention": expected}


def test_items_resolve_by_short_id_and_measures_by_label(labels: LabelIndex) -> None:
    item = prepare(named("provenance-trail"), {"item": "004:jaki-overall-response-3m"}, labels)
    assert item["item"] == VXID["doc/004/figure/jaki-overall-response-3m"]
    assert set(item) == {"item"}, "the traceable classes are in the query's text, not its bindings"
    assert "FILTER (?itemType IN (<https://w3id.org/vexas-kg/vocab#Figure>" in named("provenance-trail").text
    outcome = prepare(named("comparative-efficacy"), {"outcome": "overall response"}, labels)
    assert outcome == {"outcome": VXT["overall-response"]}
    document = prepare(named("citation-audit"), {"document": "001"}, labels)
    assert document == {"document": VXID["doc/001"]}


@pytest.mark.parametrize(("value", "expected"), [
    ("P6M", "P6M"), ("6 months", "P6M"), ("3 month", "P3M"), ("1 year", "P1Y"), ("12 weeks", "P12W"),
])
def test_durations_become_typed_literals(value: str, expected: str, labels: LabelIndex) -> None:
    bound = prepare(named("comparative-efficacy"), {"timepoint": value}, labels)
    assert bound == {"timepoint": Literal(expected, datatype=XSD.duration)}


def test_optional_parameters_not_given_stay_unbound(labels: LabelIndex) -> None:
    assert prepare(named("comparative-efficacy"), {}, labels) == {}


def test_the_label_index_can_come_from_a_graph_an_engine_or_itself(built: Build, labels: LabelIndex) -> None:
    query, params = named("safety-profile"), {"intervention": "tofacitinib"}
    expected = {"intervention": VXID["drug/tofacitinib"]}
    assert prepare(query, params, built.graph) == expected
    assert prepare(query, params, RdflibEngine(built.graph)) == expected
    assert prepare(query, params, labels) == expected


def test_an_unknown_label_lists_close_matches(labels: LabelIndex) -> None:
    with pytest.raises(UsageError) as caught:
        prepare(named("alternatives-after-failure"), {"drug": "ruxolitnib"}, labels)
    assert str(caught.value) == ("unknown drug 'ruxolitnib' for parameter drug; close matches: ruxolitinib")
    assert caught.value.exit_code == 2


def test_an_unknown_label_with_nothing_close_lists_known_values(labels: LabelIndex) -> None:
    with pytest.raises(UsageError, match=r"unknown clinical manifestation or complication 'zzz' .*known values include: anaemia; anemia; "):
        prepare(named("treatment-for-presentation"), {"manifestation": "zzz"}, labels)


def test_a_label_of_the_wrong_kind_says_what_it_is(labels: LabelIndex) -> None:
    with pytest.raises(UsageError, match="names a drug class, but drug expects a drug"):
        prepare(named("alternatives-after-failure"), {"drug": "JAK inhibitors"}, labels)
    with pytest.raises(UsageError, match="names a clinical manifestation, but intervention expects"):
        prepare(named("safety-profile"), {"intervention": "episcleritis"}, labels)


def test_an_ambiguous_label_lists_the_candidates() -> None:
    graph = Graph()
    for slug in ("a", "b"):
        graph.add((VXID[f"drug/{slug}"], RDF.type, VX.Drug))
        graph.add((VXID[f"drug/{slug}"], RDFS.label, Literal("same name")))
    with pytest.raises(UsageError, match=r"ambiguous: it names same name <.*drug/a>; same name <.*drug/b>"):
        prepare(named("alternatives-after-failure"), {"drug": "same name"}, graph)


@pytest.mark.parametrize(("params", "message"), [
    ({}, "alternatives-after-failure needs --param drug="),
    ({"drug": "ruxolitinib", "drugs": "x"}, "has no parameter 'drugs'; did you mean drug?"),
])
def test_missing_and_unknown_parameters(params: dict[str, str], message: str, labels: LabelIndex) -> None:
    with pytest.raises(UsageError, match=message):
        prepare(named("alternatives-after-failure"), params, labels)


@pytest.mark.parametrize("value", ["soon", "6", "P", "P6M\"} DROP ALL", "-P6M"])
def test_a_value_of_the_wrong_type_is_refused(value: str, labels: LabelIndex) -> None:
    with pytest.raises(UsageError, match="is not a duration"):
        prepare(named("comparative-efficacy"), {"timepoint": value}, labels)


INJECTIONS = ['"} DROP ALL', "x> } ; DROP ALL #", "ruxolitinib> } ; DROP ALL #", "} UNION { ?s ?p ?o }",
              "ruxolitinib\" . ?x ?y ?z #"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_attempts_in_labels_are_unknown_labels(value: str, labels: LabelIndex) -> None:
    spy = Spy()
    with pytest.raises(UsageError, match="unknown drug"):
        run_named("alternatives-after-failure", {"drug": value}, spy, labels)
    assert spy.calls == []


@pytest.mark.parametrize("value", [f"{RUXOLITINIB}> }} ; DROP ALL #", f"<{RUXOLITINIB}> }} DROP ALL <x>",
                                   "https://w3id.org/vexas-kg/id/drug/a b"])
def test_an_iri_with_forbidden_characters_is_refused(value: str, labels: LabelIndex) -> None:
    with pytest.raises(UsageError, match="is not a valid IRI"):
        prepare(named("alternatives-after-failure"), {"drug": value}, labels)


def test_the_query_text_is_never_changed(labels: LabelIndex) -> None:
    spy = Spy()
    for name, params in [("alternatives-after-failure", {"drug": "ruxolitinib", "limit": "all"}),
                         ("comparative-efficacy", {"timepoint": "P6M", "outcome": "overall response"})]:
        run_named(name, params, spy, labels)
        assert spy.calls[-1][0] == named(name).text
    assert spy.calls[0][1] == {"drug": RUXOLITINIB}


def test_a_string_parameter_with_injection_text_is_only_a_literal(built: Build, tmp_path: Path) -> None:
    """A user's query with a declared string parameter: the text is bound as one literal."""
    path = tmp_path / "by-label.rq"
    path.write_text("#+ param: text string required a label to look up\n"
                    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                    "SELECT ?thing ?text WHERE { ?thing rdfs:label ?text }\n", encoding="utf-8")
    before = len(built.graph)
    engine = OxigraphEngine.from_graph(built.graph)
    hostile = '"} DROP ALL ; INSERT DATA { <x:a> <x:b> <x:c> } #'
    table = run_query(user_query(path, {"text": hostile}), {"text": hostile}, engine)
    assert table.columns == ("thing", "text") and table.rows == ()
    found = run_query(user_query(path, {"text": "ruxolitinib"}), {"text": "ruxolitinib"}, engine)
    assert found.rows == ((RUXOLITINIB, Literal("ruxolitinib")),)
    assert len(built.graph) == before
    assert len(engine.store) == before


def test_a_query_file_without_declarations_takes_resources(built: Build, tmp_path: Path) -> None:
    path = tmp_path / "members.rq"
    path.write_text("PREFIX vx: <https://w3id.org/vexas-kg/vocab#>\n"
                    "SELECT ?drug ?class WHERE { ?drug vx:memberOf ?class } ORDER BY ?drug\n", encoding="utf-8")
    engine = RdflibEngine(built.graph)
    table = run_query(user_query(path, {"class": "JAKi"}), {"class": "JAKi"}, engine)
    assert [str(row[0]).rsplit("/", 1)[1] for row in table.rows] == [
        "baricitinib", "momelotinib", "ruxolitinib", "tofacitinib", "upadacitinib"]
    with pytest.raises(UsageError, match="unknown resource 'no such thing'"):
        run_query(user_query(path, {"class": "no such thing"}), {"class": "no such thing"}, engine)


@pytest.mark.parametrize(("pairs", "message"), [(["drug"], "is not KEY=VALUE"), (["=x"], "is not KEY=VALUE")])
def test_param_pairs_are_checked(pairs: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_params(pairs)
    assert parse_params(["a=b=c", "d="]) == {"a": "b=c", "d": ""}


def test_a_repeated_param_collects_its_values_in_order() -> None:
    assert parse_params(["m=fever", "d=x", "m=episcleritis", "m=fever"]) == {
        "m": ("fever", "episcleritis", "fever"), "d": "x"}


def test_a_one_value_parameter_given_twice_is_an_error(labels: LabelIndex) -> None:
    with pytest.raises(UsageError, match="--param drug is given 2 times, but it takes one value"):
        prepare(named("alternatives-after-failure"), parse_params(["drug=ruxolitinib", "drug=tocilizumab"]), labels)


def test_a_many_parameter_binds_a_tuple_without_duplicates(labels: LabelIndex) -> None:
    query = named("treatment-for-presentation")
    assert query.parameter("manifestation").many
    bound = prepare(query, {"manifestation": ("episcleritis", "recurrent fever", "Episcleritis")}, labels)
    assert bound == {"manifestation": (VXID["phenotype/episcleritis"], VXID["phenotype/recurrent-fever"])}
    assert prepare(query, {"manifestation": ("episcleritis",)}, labels) == {
        "manifestation": VXID["phenotype/episcleritis"]}
    with pytest.raises(UsageError, match="unknown clinical manifestation or complication 'zzz'"):
        prepare(query, {"manifestation": ("episcleritis", "zzz")}, labels)


def test_several_values_answer_for_each_on_both_engines(built: Build, labels: LabelIndex) -> None:
    """Two manifestations give exactly the rows of each one alone, on rdflib and pyoxigraph."""
    engines = [OxigraphEngine.from_graph(built.graph), RdflibEngine(built.graph)]
    for engine in engines:
        both = run_named("treatment-for-presentation", {"manifestation": ("episcleritis", "macrocytic anemia")},
                         engine, labels)
        alone = [run_named("treatment-for-presentation", {"manifestation": m}, engine, labels)
                 for m in ("episcleritis", "macrocytic anemia")]
        assert alone[0].rows and alone[1].rows
        assert both.columns == alone[0].columns
        assert set(both.rows) == set(alone[0].rows) | set(alone[1].rows)
        assert len(both.rows) == len(alone[0].rows) + len(alone[1].rows)


def test_several_values_reach_the_engine_as_a_values_block(labels: LabelIndex) -> None:
    spy = Spy()
    run_named("treatment-for-presentation", {"manifestation": ("episcleritis", "recurrent fever")}, spy, labels)
    query, bindings = spy.calls[-1]
    assert bindings == {"manifestation": (VXID["phenotype/episcleritis"], VXID["phenotype/recurrent-fever"])}
    assert query == named("treatment-for-presentation").text, "the engine, not prepare, writes the VALUES block"


def test_an_unknown_query_name_lists_close_names() -> None:
    with pytest.raises(UsageError, match="no named query 'contrast'; did you mean contrasts"):
        named("contrast")


# Issue 12, item 6: the names a clinician types resolve (each failed with exit 2 before).
@pytest.mark.parametrize(("value", "study"), [
    ("french registry", "french-registry-targeted-therapies"),
    ("UK cohort", "uk-cohort"),
    ("FRENVEX", "french-registry-targeted-therapies"),
    ("Hadjadj 2024", "french-registry-targeted-therapies"),
    ("hadjadj 2023", "french-registry-targeted-therapies"),
    ("Al-Hakim 2025", "uk-cohort"),
    ("Heiblig 2022", "french-jaki-retrospective"),
])
def test_a_study_resolves_by_alias_author_year_or_words(value: str, study: str, labels: LabelIndex) -> None:
    assert prepare(named("study-summary"), {"study": value}, labels) == {"study": VXID[f"study/{study}"]}


def test_a_word_match_naming_several_is_ambiguous_and_lists_them(labels: LabelIndex) -> None:
    with pytest.raises(UsageError, match="ambiguous: it names Earlier French retrospective study.*; French national"):
        prepare(named("study-summary"), {"study": "french"}, labels)


def test_suggestions_include_long_labels_and_slugs(labels: LabelIndex) -> None:
    with pytest.raises(UsageError) as caught:
        prepare(named("study-summary"), {"study": "french registery"}, labels)
    assert "French national VEXAS registry study of targeted therapies" in str(caught.value)
    with pytest.raises(UsageError) as caught:
        prepare(named("treatment-for-presentation"), {"manifestation": "cardiac-involvment"}, labels)
    assert "cardiac-involvement" in str(caught.value)


def test_an_unknown_author_is_no_alias(labels: LabelIndex) -> None:
    """The publication table writes "not verified" where the author is unknown; it is not a name."""
    assert labels.lookup("not 2025") is None


def test_crp_level_names_the_outcome(labels: LabelIndex) -> None:
    assert prepare(named("comparative-efficacy"), {"outcome": "CRP level"}, labels) == {"outcome": VXT["crp-level"]}
