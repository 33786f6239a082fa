"""Result formats: the W3C SPARQL 1.1 JSON, CSV and TSV result formats, and the readable table."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from vexas_kg.errors import UsageError
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import OxigraphEngine, run_named
from vexas_kg.graph.remote.client import results_from_json
from vexas_kg.graph.query.results import FORMATS, format_results, short_iri

FIGURE = URIRef("https://w3id.org/vexas-kg/id/doc/004/figure/jaki-overall-response-3m")
TABLE = ResultTable(
    ("figure", "value", "note", "count", "lang", "blank", "empty"),
    (
        (FIGURE, Literal("24", datatype=XSD.decimal), Literal('says "yes",\tthen\nno'),
         Literal("3", datatype=XSD.integer), Literal("remission", lang="en"), BNode("b1"), None),
        (URIRef("https://w3id.org/vexas-kg/terms/overall-response"), Literal("7.2", datatype=XSD.decimal),
         None, None, None, None, None),
    ),
)


def test_json_is_the_w3c_results_format() -> None:
    document = json.loads(format_results(TABLE, "json"))
    assert document["head"] == {"vars": list(TABLE.columns)}
    assert document["results"]["bindings"][0] == {
        "figure": {"type": "uri", "value": str(FIGURE)},
        "value": {"type": "literal", "value": "24", "datatype": str(XSD.decimal)},
        "note": {"type": "literal", "value": 'says "yes",\tthen\nno'},
        "count": {"type": "literal", "value": "3", "datatype": str(XSD.integer)},
        "lang": {"type": "literal", "value": "remission", "xml:lang": "en"},
        "blank": {"type": "bnode", "value": "b1"},
    }
    assert set(document["results"]["bindings"][1]) == {"figure", "value"}


def test_json_reads_back_as_the_same_table() -> None:
    assert results_from_json(json.loads(format_results(TABLE, "json"))) == TABLE


def test_csv_has_plain_values_crlf_and_quoting() -> None:
    text = format_results(TABLE, "csv")
    assert text.startswith("figure,value,note,count,lang,blank,empty\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == [str(FIGURE), "24", 'says "yes",\tthen\nno', "3", "remission", "_:b1", ""]
    assert rows[2] == ["https://w3id.org/vexas-kg/terms/overall-response", "7.2", "", "", "", "", ""]


def test_tsv_writes_terms_in_sparql_syntax_one_row_a_line() -> None:
    lines = format_results(TABLE, "tsv").split("\n")
    assert lines[0] == "?figure\t?value\t?note\t?count\t?lang\t?blank\t?empty"
    assert lines[1].split("\t") == [
        f"<{FIGURE}>", f'"24"^^<{XSD.decimal}>', '"says \\"yes\\",\\tthen\\nno"', "3", '"remission"@en', "_:b1", ""]
    assert lines[2].split("\t")[:2] == ["<https://w3id.org/vexas-kg/terms/overall-response>", "7.2"]
    assert lines[3] == ""


def test_the_table_shortens_ids_and_hides_empty_columns() -> None:
    text = format_results(TABLE, "table")
    header, rule, first, second, footer, end = text.split("\n")
    assert header.split() == ["figure", "value", "note", "count", "lang", "blank"]
    assert first.startswith("004:jaki-overall-response-3m  24     says \"yes\", then no  3")
    assert second.startswith("vxt:overall-response          7.2")
    assert footer == "(2 rows; empty columns not shown: empty)"
    assert end == ""


def test_a_long_cell_is_never_cut() -> None:
    """A text longer than a column may be is shown whole, in one block per row (audit a3 A51: the
    table cut "… or those refractory to JAK inhibitors and IL-6 blockade" to "… or those …")."""
    table = ResultTable(("claim", "text"), ((Literal("c"), Literal("x" * 100)),))
    text = format_results(table, "table")
    assert "x" * 100 in text and "…" not in text and text.startswith("-[ row 1 ]")
    assert "x" * 100 in format_results(table, "csv")
    short = format_results(ResultTable(("claim", "text"), ((Literal("c"), Literal("x" * 60)),)), "table")
    assert short.startswith("claim  text")


def test_short_iris() -> None:
    assert short_iri("https://w3id.org/vexas-kg/id/doc/000/claim/vte-risk") == "000:vte-risk"
    assert short_iri("https://w3id.org/vexas-kg/id/doc/000/reference/1") == "vxid:doc/000/reference/1"
    assert short_iri("https://w3id.org/vexas-kg/vocab#Figure") == "vx:Figure"
    assert short_iri("https://example.org/x") == "<https://example.org/x>"


def test_an_empty_result_still_has_its_header() -> None:
    empty = ResultTable(("a", "b"), ())
    assert format_results(empty, "table") == "a  b\n-  -\n(0 rows)\n"
    assert json.loads(format_results(empty, "json")) == {"head": {"vars": ["a", "b"]}, "results": {"bindings": []}}


def test_unknown_formats_are_usage_errors() -> None:
    assert FORMATS == ("table", "csv", "tsv", "json")
    with pytest.raises(UsageError, match="unknown format 'xml'"):
        format_results(TABLE, "xml")


def test_a_real_result_round_trips_through_json(built) -> None:
    table = run_named("comparative-efficacy", {"intervention": "JAKi"}, OxigraphEngine.from_graph(built.graph))
    assert results_from_json(json.loads(format_results(table, "json"))) == table


def test_a_result_too_wide_for_a_terminal_is_shown_one_block_per_row() -> None:
    wide = ResultTable(("item", "text", "empty", "value", "more", "note"), (
        (FIGURE, Literal("y" * 100), None, Literal("24", datatype=XSD.decimal), Literal("m" * 70), None),
        (FIGURE, Literal("z" * 130), None, None, Literal("n"), Literal("o" * 61)),
    ))
    assert format_results(wide, "table") == (
        "-[ row 1 ]-\n"
        "item   004:jaki-overall-response-3m\n"
        f"text   {'y' * 100}\n"
        "value  24\n"
        f"more   {'m' * 70}\n"
        "-[ row 2 ]-\n"
        "item   004:jaki-overall-response-3m\n"
        f"text   {'z' * 130}\n"
        "more   n\n"
        f"note   {'o' * 61}\n"
        "(2 rows; empty columns not shown: empty)\n"
    )


def test_the_json_writer_writes_what_to_json_writes(built) -> None:
    """The endpoint's cached writer (over the store's own terms) and the CLI's JSON agree on every named query."""
    from vexas_kg.graph.query.named import LabelIndex, named, prepare
    from vexas_kg.graph.query.results import JsonWriter, to_json
    from vexas_kg.queries import catalog

    engine = OxigraphEngine.from_graph(built.graph)
    labels = LabelIndex.from_engine(engine)
    writer = JsonWriter(engine.term)
    cases = [(name, {}) for name, query in catalog().items() if not any(p.required for p in query.parameters)]
    cases += [("provenance-trail", {"item": "004:jaki-overall-response-3m"}),
              ("treatment-for-presentation", {"manifestation": ("episcleritis", "recurrent fever")})]
    for name, params in cases * 2:  # the second time from the caches
        bindings = prepare(named(name), params, labels)
        written = writer.write(*engine.solutions(named(name).text, bindings))
        expected = OxigraphEngine.from_graph(built.graph).select(named(name).text, bindings)
        assert json.loads(written) == json.loads(to_json(expected)), name
        # the endpoint's path: each value encoded as the store gives it, the same document
        columns, encoded = engine.solutions(named(name).text, bindings, writer.fragments.__getitem__)
        assert writer.write_encoded(columns, encoded) == written, name
        # an encoded value binds as the term it encodes (a block's key, a narrowed variable)
        assert [tuple(None if value is None else writer.term_of(value) for value in row)
                for row in encoded] == list(expected.rows), name
    assert writer.write(["a"], [(None,)]) == '{"head":{"vars":["a"]},"results":{"bindings":[{}]}}\n'


def test_a_memo_stays_within_its_limit() -> None:
    from vexas_kg.graph.query.engine import Memo

    calls = []
    memo = Memo(lambda key: calls.append(key) or key * 2, limit=3)
    assert [memo[k] for k in (1, 2, 1, 3, 4, 1)] == [2, 4, 2, 6, 8, 2]
    assert calls == [1, 2, 3, 4, 1] and len(memo) <= 3


def test_the_term_cache_follows_the_graph() -> None:
    """A constant bound that a large graph's answers pass empties the cache during every such answer."""
    import pyoxigraph as ox

    from vexas_kg.graph.query.engine import term_limit
    from vexas_kg.graph.query.named import OxigraphEngine

    assert term_limit(10) == 65536 and term_limit(2_300_000) == 1_150_000
    store = ox.Store()
    node = ox.NamedNode("https://example.org/s")
    store.extend(ox.Quad(node, ox.NamedNode("https://example.org/p"), ox.Literal(str(i))) for i in range(140_000))
    assert OxigraphEngine(store).term.limit == 70_000
