"""The query commands through click: output, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vexas_kg.cli import main
from vexas_kg.queries import catalog


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_queries_lists_every_named_query_with_its_parameters() -> None:
    result = invoke("queries")
    assert result.exit_code == 0, result.output
    for name, query in catalog().items():
        assert f"{name}: {query.title}\n    {query.question}\n" in result.output
    assert "    --param drug=<drug> (required): the drug that failed or was not tolerated\n" in result.output
    assert "    e.g. vexas-kg query alternatives-after-failure --param drug=ruxolitinib\n" in result.output


EXAMPLES = [(name, example) for name, query in catalog().items() for example in query.examples]


def test_every_parameter_of_every_query_has_an_example() -> None:
    for name, query in catalog().items():
        shown = {key for example in query.examples for key, _ in example}
        assert shown == {p.name for p in query.parameters}, name


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[f"{n}:{e}" for n, e in EXAMPLES])
def test_every_example_that_queries_prints_runs_and_finds_rows(name: str, example: tuple) -> None:
    """Issue 12, item 6: `vexas-kg queries` suggested outcome="CRP level", which then failed."""
    args = [a for key, value in example for a in ("--param", f"{key}={value}")]
    result = invoke("query", name, *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) > 1, f"{name} {example} finds no rows"


def test_query_prints_a_readable_table_by_default() -> None:
    result = invoke("query", "study-summary", "--param", "study=study/uk-cohort")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:5] == ["-[ row 1 ]-----", "section    study", "attribute  label",
                         "text       UK cohort study of VEXAS syndrome treatment outcomes",
                         "study      vxid:study/uk-cohort"]
    assert lines[-1] == "(22 rows)"
    narrow = invoke("query", "evidence-overview", "--columns", "dimension,figures,claims,studies,documents").output.splitlines()
    assert narrow[0].split() == ["dimension", "figures", "claims", "studies", "documents"]
    # A cell longer than a column may be is never cut: the whole table is shown as blocks instead.
    wide = invoke("query", "evidence-overview").output
    assert wide.startswith("-[ row 1 ]") and "…" not in wide


def test_query_json_is_sparql_results_json() -> None:
    result = invoke("query", "alternatives-after-failure", "--param", "drug=ruxolitinib", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["head"]["vars"][0] == "claim"
    first = document["results"]["bindings"][0]
    assert first["drug"] == {"type": "uri", "value": "https://w3id.org/vexas-kg/id/drug/ruxolitinib"}


@pytest.mark.parametrize("args", [
    ("query", "contrasts"),
    ("query", "comparisons"),
    ("query", "comparative-efficacy", "--param", "intervention=tocilizumab", "--param", "intervention=baricitinib",
     "--param", "study=UK cohort"),
], ids=["contrasts", "comparisons", "comparative-efficacy-several-interventions"])
def test_both_engines_print_the_same_rows(args: tuple[str, ...]) -> None:
    rdflib = invoke(*args, "--format", "tsv", "--engine", "rdflib")
    oxigraph = invoke(*args, "--format", "tsv", "--engine", "oxigraph")
    assert rdflib.exit_code == oxigraph.exit_code == 0, rdflib.output + oxigraph.output
    assert len(oxigraph.output.splitlines()) > 1
    assert rdflib.output == oxigraph.output


def test_query_runs_a_users_file(tmp_path: Path) -> None:
    path = tmp_path / "members.rq"
    path.write_text("#+ param: class drug-or-class required the class\n"
                    "PREFIX vx: <https://w3id.org/vexas-kg/vocab#>\n"
                    "SELECT ?drug ?class WHERE { ?drug vx:memberOf ?class } ORDER BY ?drug\n", encoding="utf-8")
    result = invoke("query", "--file", str(path), "--param", "class=IL-6 drugs", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8") == ("drug,class\r\n"
                             "https://w3id.org/vexas-kg/id/drug/siltuximab,https://w3id.org/vexas-kg/id/drug-class/il6-inhibitor\r\n"
                             "https://w3id.org/vexas-kg/id/drug/tocilizumab,https://w3id.org/vexas-kg/id/drug-class/il6-inhibitor\r\n")


@pytest.mark.parametrize(("args", "code", "message"), [
    (("query", "safety-profile", "--param", "intervention=tocilizumb"), 2,
     "error: unknown drug, drug class or procedure 'tocilizumb' for parameter intervention; close matches: tocilizumab\n"),
    (("query", "safety-profile", "--param", 'intervention="} DROP ALL'), 2, "error: unknown drug, drug class"),
    (("query", "safety-profile", "--param", "intervention=x> } ; DROP ALL #"), 2, "error: unknown drug, drug class"),
    (("query", "comparative-efficacy", "--param", "timepoint=soon"), 2, "error: timepoint='soon' is not a duration"),
    (("query", "comparative-efficacy", "--param", "time=P6M"), 2, "did you mean timepoint?"),
    (("query", "safety-profile"), 2, "error: safety-profile needs --param intervention="),
    (("query", "contrast"), 2, "error: no named query 'contrast'; did you mean contrasts?"),
    (("query",), 2, "error: give either a query NAME or --file FILE"),
    (("query", "contrasts", "--param", "x"), 2, "error: --param 'x' is not KEY=VALUE"),
    (("query", "contrasts", "--format", "xml"), 2, "Invalid value for '--format'"),
    (("trace", "study/uk-cohort"), 2, "names a study, but item expects a figure, claim"),
    (("query", "safety-profile", "--param", "intervention=tofacitinib", "--param", "intervention=tocilizumab"), 2,
     "error: --param intervention is given 2 times, but it takes one value\n"),
    (("query", "contrasts", "--columns", "sideA,nope"), 2, "error: unknown column nope; the columns are rule, sideA, "),
])
def test_bad_calls_exit_with_a_clear_message(args: tuple[str, ...], code: int, message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_a_repeated_many_parameter_answers_for_each_value() -> None:
    result = invoke("query", "treatment-for-presentation", "--param", "manifestation=episcleritis",
                    "--param", "manifestation=venous thromboembolism", "--columns", "manifestationLabel,?role,claim",
                    "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.decode("utf-8").split("\r\n")
    assert lines[0] == "manifestationLabel,role,claim"
    assert lines[-3:] == ["venous thromboembolism,manifestation-specific measure,"
                          "https://w3id.org/vexas-kg/id/doc/001/claim/thromboprophylaxis-recommended",
                          "venous thromboembolism,monitoring,"
                          "https://w3id.org/vexas-kg/id/doc/001/claim/assess-organ-involvement-and-thrombosis", ""]
    assert sorted({line.split(",")[0] for line in lines[1:-1]}) == ["episcleritis", "venous thromboembolism"]
    assert len(lines) == 19, "every row is kept when columns are dropped (17 rows)"


def test_a_query_file_that_does_not_parse_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?s WHERE { ?s ?p }\n", encoding="utf-8")
    result = invoke("query", "--file", str(path))
    assert result.exit_code == 3
    assert result.output.startswith("error: the query does not parse")


def test_trace_prints_the_tree() -> None:
    result = invoke("trace", "overall response at 3 months, JAK inhibitors")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("004:jaki-overall-response-3m: overall response at 3 months, JAK inhibitors = 24% at P3M "
                        "(figure: overall response)")
    quote = next(i for i, line in enumerate(lines) if line.startswith("  quote "))
    assert lines[quote] == ('  quote [2292-2401]: "At three months, the overall response, including complete and '
                        'partial remission, was 24% with JAK inhibitors"')
    assert lines[quote + 1].startswith("    document vxid:doc/004: Study finds JAK inhibitors and tocilizumab effective")


def test_trace_json_is_the_same_tree() -> None:
    text = invoke("trace", "000:azacitidine-response-risk-ratio")
    as_json = invoke("trace", "000:azacitidine-response-risk-ratio", "--format", "json")
    assert text.exit_code == as_json.exit_code == 0
    tree = json.loads(as_json.output)

    def lines(node: dict, depth: int = 0) -> list[str]:
        return ["  " * depth + node["text"]] + [l for c in node["children"] for l in lines(c, depth + 1)]

    assert "\n".join(lines(tree)) + "\n" == text.output


def test_trace_by_printed_text_asks_to_choose_when_several_figures_print_it() -> None:
    result = invoke("trace", "26%")
    assert result.exit_code == 2
    assert "004:il6-overall-response-6m" in result.output and "004:jaki-complete-response-6m" in result.output
