"""Every kind of bad input gives one clear message naming file, line and field, a
non-zero exit code, and writes nothing (end to end, through the CLI)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from vexas_kg.cli import main

RECORD = "records/004.yaml"


def edit(evidence: Path, old: str, new: str, count: int = 1) -> None:
    path = evidence / RECORD
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(evidence: Path, needle: str) -> int:
    lines = (evidence / RECORD).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def build(evidence: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--evidence", str(evidence), "--out", str(out)])
    return result.exit_code, result.output


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def assert_failed(code: int, output: str, out: Path, where: str, message: str) -> None:
    assert code == 1, output
    assert where in output, output
    assert re.search(message, output), output
    assert not out.exists(), "nothing may be written when the build fails"


def assert_edit_fails(evidence: Path, out: Path, old: str, new: str, marker: str, field: str, message: str) -> None:
    """Edit the record, build, and require the failure at the line holding ``marker``."""
    edit(evidence, old, new)
    line = line_of(evidence, marker)
    code, output = build(evidence, out)
    assert_failed(code, output, out, f"{RECORD}:{line}: {field}", message)


def test_malformed_yaml_names_the_line(evidence_copy: Path, out: Path) -> None:
    edit(evidence_copy, "  kind: news-report", "  kind: [news-report")
    code, output = build(evidence_copy, out)
    assert code == 1, output
    assert re.search(r"records/004\.yaml:\d+: malformed YAML", output), output
    assert not out.exists()


def test_duplicate_key_is_an_error(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "  kind: news-report\n", "  kind: news-report\n  kind: review\n",
                      "kind: review", "document.kind", r"duplicate key 'kind' \(first at line \d+\)")


def test_yaml_11_octal_trap_is_rejected(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "population_size: 110", "population_size: 0755",
                      "population_size: 0755", "studies[0].population_size", r"leading zero")


def test_yaml_11_norway_trap_stays_text(evidence_copy: Path, out: Path) -> None:
    """YAML 1.1 reads NO as false; here it stays the text NO (YAML 1.2, no implicit typing)."""
    from rdflib import Literal

    from vexas_kg.graph.builder.assemble import build_graph
    from vexas_kg.ontology.iris import study_iri
    from vexas_kg.ontology import VX

    edit(evidence_copy, "    country: France\n    setting:", "    country: NO\n    setting:")
    graph = build_graph(evidence_copy).graph
    assert set(graph.objects(study_iri("french-registry-targeted-therapies"), VX.country)) == {Literal("NO")}


def test_quote_not_in_source_shows_closest_passage(evidence_copy: Path, out: Path) -> None:
    sentence = "quote: By six months, the overall response rate for JAK inhibitors had risen {} to 30%\n"
    assert_edit_fails(evidence_copy, out, sentence.format("slightly"), sentence.format("sharply"),
                      "risen sharply", "figures[6].quote",
                      r"quote not found in 004_6f73882940ad8e77\.txt: .*closest passage: "
                      r"'By six months, the overall response rate for JAK inhibitors had risen slightly")


def test_number_missing_from_its_quote(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "    value: 24\n", "    value: 23\n",
                      "value: 23", "figures[2].value", r"the number 23 is not in the quote")


def test_unknown_drug_class_lists_close_matches(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "interventions: [jak-inhibitor]", "interventions: [jak-inhibitr]",
                      "jak-inhibitr", "studies[0].arms[0].interventions", r"unknown entity 'jak-inhibitr'; did you mean jak-inhibitor")


def test_unknown_publication_reference(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "publications: [hadjadj-acr-2023, hadjadj-2024]", "publications: [hadjadj-acr-2023, hadjadj-2025]",
                      "hadjadj-2025", "studies[0].publications", r"unknown publication 'hadjadj-2025'; did you mean hadjadj-2024")


def test_unknown_statement_reference(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "    statement: response-at-3-months\n", "    statement: response-at-three-months\n",
                      "response-at-three-months", "figures[2].statement", r"unknown claim .004:response-at-three-months.; did you mean .*004:response-at-3-months")


def test_numerator_above_denominator(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "    value: 39\n", "    value: 39\n    numerator: 39\n    denominator: 20\n",
                      "numerator: 39", "figures[0].numerator", r"numerator 39 exceeds denominator 20 \(n > N\)")


def test_percent_outside_0_100(evidence_copy: Path, out: Path) -> None:
    old = ("    value: 24\n    unit: percent\n    response_definitions: [complete-response, partial-response]\n"
           "    statement: response-at-3-months\n    quote: At three months, the overall response, including "
           "complete and partial remission, was 24% with JAK inhibitors\n")
    new = ("    value: 2023\n    unit: percent\n    response_definitions: [complete-response, partial-response]\n"
           "    statement: response-at-3-months\n    quote: [At three months, New research at ACR Convergence 2023]\n")
    assert_edit_fails(evidence_copy, out, old, new, "value: 2023", "figures[2].value",
                      r"a percentage must lie between 0 and 100, not 2023")


def test_record_naming_a_missing_source(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "source: 004_6f73882940ad8e77.txt", "source: 004_missing.txt",
                      "004_missing.txt", "document.source", r"the source file '004_missing\.txt' does not exist")


def test_unknown_field_is_an_error(evidence_copy: Path, out: Path) -> None:
    edit(evidence_copy, "    value: 24\n", "    vaule: 24\n")
    code, output = build(evidence_copy, out)
    assert code == 1
    assert re.search(r"figures\[2\]", output), output


def test_turtle_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \"unterminated .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1, result.output
    assert re.search(rf"{re.escape(str(bad))}:3: cannot parse as turtle", result.output), result.output


def test_failed_build_leaves_previous_output_untouched(evidence_copy: Path, out: Path) -> None:
    out.mkdir()
    previous = out / "vexas-kg.ttl"
    previous.write_text("previous build\n", encoding="utf-8")
    edit(evidence_copy, "    value: 24\n", "    value: 23\n")
    code, _ = build(evidence_copy, out)
    assert code == 1
    assert previous.read_text(encoding="utf-8") == "previous build\n"
    assert sorted(p.name for p in out.iterdir()) == ["vexas-kg.ttl"]


FIGURE_24 = ("    value: 24\n    unit: percent\n    response_definitions: [complete-response, partial-response]\n"
             "    statement: response-at-3-months\n    quote: At three months, the overall response, including "
             "complete and partial remission, was 24% with JAK inhibitors\n")


def test_p_value_outside_0_1(evidence_copy: Path, out: Path) -> None:
    """24 is printed in the quote, so only the range check can refuse it."""
    assert_edit_fails(evidence_copy, out, FIGURE_24, FIGURE_24.replace("    unit:", "    p_value: 24\n    unit:"),
                      "p_value: 24", "figures[2].p_value", r"a p-value lies between 0 and 1, not 24")


@pytest.mark.parametrize("bounds, field, message", [
    ("    ci_lower: 2023\n    ci_upper: 2023\n", "ci_lower", r"ci_lower 2023 exceeds value 24"),
    ("    iqr_lower: 3\n    iqr_upper: 3\n", "value", r"value 24 exceeds iqr_upper 3"),
])
def test_interval_must_hold_the_value(evidence_copy: Path, out: Path, bounds: str, field: str, message: str) -> None:
    """Both bounds are printed in the quotes, so only the order check (lower <= value <= upper) can refuse them."""
    quote = ('    quote: ["At three months, the overall response, including complete and partial remission, was 24% '
             'with JAK inhibitors", "between November 2020 and August 2023"]\n')
    new = FIGURE_24.replace("    unit:", bounds + "    unit:").replace(FIGURE_24.splitlines()[-1] + "\n", quote)
    edit(evidence_copy, FIGURE_24, new)
    text = (evidence_copy / RECORD).read_text(encoding="utf-8")
    start = text[:text.index(new)].count("\n") + 1
    line = start + next(i for i, row in enumerate(new.splitlines()) if row.strip().startswith(f"{field}:"))
    code, output = build(evidence_copy, out)
    assert_failed(code, output, out, f"{RECORD}:{line}: figures[2].{field}", message)


def test_verbatim_field_must_be_printed_in_its_quote(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, "  publisher: medicalxpress.com\n", "  publisher: medicalexpress.com\n",
                      "publisher: medicalexpress.com", "document.publisher",
                      r"'medicalexpress\.com' is not printed in the quote")


def test_date_must_be_what_its_quote_prints(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out, '  date: "2023-11-07"\n', '  date: "2023-11-08"\n',
                      '2023-11-08', "document.date", r"the date 2023-11-08 is not what the quote .* prints")


def test_cites_must_match_the_numbers_printed_after_the_quote(evidence_copy: Path, out: Path) -> None:
    path = evidence_copy / "records/000.yaml"
    text = path.read_text(encoding="utf-8")
    old = "class may have limited efficacy in VEXAS\n    cites: [1]\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, old.replace("[1]", "[2]")), encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 2
    code, output = build(evidence_copy, out)
    assert_failed(code, output, out, f"records/000.yaml:{line}:", r"cites \[2\] but the text after the quote prints 1")


# -- issue 12: the old data's defects are build errors now

def test_an_other_arm_that_excludes_nothing_is_an_error(evidence_copy: Path, out: Path) -> None:
    """The leak of 004:tnf-and-other-overall-response-3m to tocilizumab: the arm received the
    umbrella class without saying it leaves out the classes listed before it."""
    assert_edit_fails(evidence_copy, out, "        excludes: [jak-inhibitor, il6-inhibitor, il1-inhibitor]\n", "",
                      "- id: tnf-blockers-and-other", "studies[0].arms[3].id",
                      r"arm 'tnf-blockers-and-other' receives 'targeted-therapy', which contains '.+' of arm '.+': "
                      r"list it under 'excludes'")


def test_a_definition_that_drops_a_clause_is_an_error(evidence_copy: Path, out: Path) -> None:
    assert_edit_fails(evidence_copy, out,
                      "        definition: continued disease activity or inflammation and/or the inability to reduce steroids\n",
                      "        definition: continued disease activity or inflammation\n",
                      "definition: continued disease activity or inflammation", "studies[0].response_definitions[2].definition",
                      "must be the whole tail of its quote")


def test_a_definition_clause_without_a_criterion_is_an_error(evidence_copy: Path, out: Path) -> None:
    """004's no-response definition once lost "and/or the inability to reduce steroids"."""
    edit(evidence_copy, "          - {parameter: the inability to reduce steroids, operator: met}\n", "")
    line = line_of(evidence_copy, "parameter: continued disease activity or inflammation") - 1  # its criteria: key
    code, output = build(evidence_copy, out)
    assert_failed(code, output, out, f"{RECORD}:{line}: studies[0].response_definitions[2].criteria",
                  "the definition's clause 'the inability to reduce steroids' has no criterion")


def test_a_criterion_without_its_parameter_is_an_error(evidence_copy: Path, out: Path) -> None:
    """000's 'hemoglobin <8 g/dL or drops >2 g/dL' once became the parameter 'drops'."""
    path = evidence_copy / "records" / "000.yaml"
    text = path.read_text(encoding="utf-8")
    old = "      - {parameter: hemoglobin, operator: decrease-by-more-than, value: 2, unit: g-per-dl}"
    assert old in text
    path.write_text(text.replace(old, '      - {parameter: drops, operator: ">", value: 2, unit: g-per-dl}'), encoding="utf-8")
    line = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if "parameter: drops" in row)
    code, output = build(evidence_copy, out)
    assert_failed(code, output, out, f"records/000.yaml:{line}: safety_rules", "'drops' is not a known criterion parameter")


def test_advice_without_a_decision_point_is_an_error(evidence_copy: Path, out: Path) -> None:
    path = evidence_copy / "records" / "001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    decision_point: initial-treatment\n    preference_rank: 1\n", "", 1), encoding="utf-8")
    code, output = build(evidence_copy, out)
    assert_failed(code, output, out, "records/001.yaml:", "missing required field 'decision_point'|preference rank needs")


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    condition_kinds: [failure]\n    failure_of: all-failed\n", "    failure_of: all-failed\n",
     "an after-failure decision point says what the source says happened"),
    ("    condition_kinds: [failure]\n    failure_of: all-failed\n", "    condition_kinds: [failed]\n    failure_of: all-failed\n",
     "'failed' is not one of: contraindication, failure, intolerance, unavailability"),
])
def test_an_after_failure_point_needs_known_condition_kinds(evidence_copy: Path, out: Path, old: str, new: str,
                                                            message: str) -> None:
    path = evidence_copy / "records" / "001.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, output = build(evidence_copy, out)
    assert_failed(code, output, out, "records/001.yaml:", message)


@pytest.mark.parametrize(("topic", "message"), [
    ("topic: tofacitinib", "'tofacitinib' is not a known disease \\(the disease the evidence is about\\)"),
    ("topic: no-such-disease", "'no-such-disease' is not a known disease"),
    ("", "topic: missing required field .topic."),
])
def test_the_topic_must_be_a_disease_of_the_list(evidence_copy: Path, out: Path, topic: str, message: str) -> None:
    """citation-audit reads the declared topic (vx:isTopic); a wrong or missing one is refused, never guessed."""
    path = evidence_copy / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\ntopic: vexas-syndrome\n" in text
    path.write_text(text.replace("\ntopic: vexas-syndrome\n", f"\n{topic}\n"), encoding="utf-8")
    code, output = build(evidence_copy, out)
    assert_failed(code, output, out, "entities.yaml", message)
