"""RDF files given to ``validate`` never reach the network (a loopback sentinel counts 0 requests after a
corpus of remote contexts, imports and entities), and size and depth are bounded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from vexas_kg.cli import main
from vexas_kg.errors import RDFSyntaxError
from vexas_kg.graph.builder.rdf_input import MAX_JSON_DEPTH, MAX_RDF_BYTES, parse_rdf

CORPUS = Path(__file__).parent / "hostile-rdf"
ROWS = [line.split("\t") for line in (CORPUS / "expected.tsv").read_text().splitlines()
        if line and not line.startswith("#")]


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(row[0] for row in ROWS) == sorted(p.name for p in CORPUS.iterdir() if p.name != "expected.tsv")


@pytest.mark.parametrize("name, code, message", ROWS)
def test_validate_never_fetches(name: str, code: str, message: str, sentinel, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text((CORPUS / name).read_text().replace("{SENTINEL}", sentinel.url))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert sentinel.requests == [], f"{name} reached the network: {sentinel.requests}"
    assert result.exit_code == int(code), result.output
    assert re.search(message, result.output), result.output
    if code == "1":
        assert f"error: {path}" in result.output, result.output


def test_deep_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonld"
    path.write_text('{"@context": {}, "@graph": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}")
    with pytest.raises(RDFSyntaxError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        parse_rdf(path)
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(RDFSyntaxError, match="nested deeper"):
        parse_rdf(path)


def test_deep_turtle_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "deep.ttl"
    path.write_text("<https://example.org/a> <https://example.org/p> " + "[ <https://example.org/p> " * 20_000
                    + "1" + " ]" * 20_000 + " .\n")
    with pytest.raises(RDFSyntaxError, match=f"{path}"):
        parse_rdf(path)


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.nt"
    with path.open("wb") as stream:
        stream.truncate(MAX_RDF_BYTES + 1)
    with pytest.raises(RDFSyntaxError, match=f"the limit is {MAX_RDF_BYTES}"):
        parse_rdf(path)


def test_bad_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_bytes(b'<https://example.org/a>\n  <https://example.org/p> "caf\xff" .\n')
    with pytest.raises(RDFSyntaxError, match=rf"{re.escape(str(path))}:2: byte 0xff"):
        parse_rdf(path)
