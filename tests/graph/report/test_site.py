"""The site as files: deterministic, self-contained, written atomically, nothing written on failure."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from vexas_kg.cli import main
from vexas_kg.graph.report.report import Site, local_site, write_report
from vexas_kg.graph.report.write import OutputError, write_site

ALLOWED_EXTERNAL = ("https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/")


def test_two_runs_are_byte_identical(site: Site) -> None:
    again = local_site()
    assert sorted(again.files) == sorted(site.files)
    changed = [name for name in site.files if site.files[name] != again.files[name]]
    assert not changed


def test_written_folder_holds_exactly_the_rendered_files(site: Site, site_dir: Path) -> None:
    on_disk = {p.relative_to(site_dir).as_posix(): p.read_bytes() for p in site_dir.rglob("*") if p.is_file()}
    assert on_disk == site.files


def test_the_site_loads_nothing_from_elsewhere(site: Site) -> None:
    for name, content in site.files.items():
        text = content.decode("utf-8")
        assert "<script" not in text, name
        assert "@import" not in text and "url(" not in text, name
        for attribute, url in re.findall(r'\b(src|href)="([^"]*)"', text):
            if attribute == "src" or not url.startswith(("http:", "https:", "//")):
                assert not url.startswith(("http:", "https:", "//")), (name, url)
                continue
            assert url.startswith(ALLOWED_EXTERNAL), (name, url)
        for url in re.findall(r'<link[^>]*href="([^"]*)"', text):
            assert not re.match(r"^(?:[a-z]+:)?//", url), (name, url)


def test_every_page_shows_the_build(site: Site) -> None:
    for name, content in site.files.items():
        if name.endswith(".html"):
            assert f"sha256 {site.graph_hash[:16]}" in content.decode("utf-8"), name


def test_external_identifiers_come_from_the_reference_folder(site: Site) -> None:
    from vexas_kg.graph.builder.assemble import packaged_evidence

    reference = packaged_evidence().joinpath("reference", "publications.tsv").read_text(encoding="utf-8").lower()
    linked = set()
    for content in site.files.values():
        for doi in re.findall(r'href="https://doi\.org/([^"]+)"', content.decode("utf-8")):
            linked.add(doi)
            assert doi.lower() in reference
        for pmid in re.findall(r'href="https://pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/"', content.decode("utf-8")):
            assert f"\t{pmid}\t" in reference
    assert linked, "no DOI is linked although the French registry study's DOI is in the reference folder"


def test_rewriting_replaces_the_old_site_whole(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "stale.html").write_text("old")
    write_report(site, out)
    assert not (out / "stale.html").exists()
    assert (out / "index.html").read_bytes() == site.files["index.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_a_failed_write_leaves_the_old_site_and_no_temporary_folder(tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "index.html").write_text("old")
    with pytest.raises(OutputError):
        write_site({"index.html": b"new", "../escape.html": b"x"}, out)
    assert (out / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_file_in_the_way_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.write_text("not a folder")
    with pytest.raises(OutputError):
        write_site({"index.html": b"new"}, out)
    assert out.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_invalid_evidence_writes_nothing(tmp_path: Path) -> None:
    from vexas_kg.graph.builder.assemble import packaged_evidence

    evidence = tmp_path / "evidence"
    shutil.copytree(str(packaged_evidence()), evidence, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    record = evidence / "records" / "004.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("quote:", "quote: 'not in the source' #", 1),
                      encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "--out", str(out), "--evidence", str(evidence)])
    assert result.exit_code == 1, result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence"]


def test_cli_writes_the_site_and_names_its_index(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str((out / "index.html").resolve()) in result.output
    assert (out / "comparative.html").is_file()


@pytest.mark.parametrize("args", [["--graph", "urn:g"], ["--user", "me"]])
def test_remote_options_need_an_endpoint(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2
    assert "belongs to --endpoint" in result.output
    assert not (tmp_path / "x").exists()


def test_an_unreachable_endpoint_writes_nothing(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port that nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "--endpoint", f"http://127.0.0.1:{port}/sparql", "--out", str(out)])
    assert result.exit_code == 4, result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
