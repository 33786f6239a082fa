"""Outputs: a set of files is replaced together or not at all, with a lock, the umask's mode, and one
clear message (exit 1) for every file-system problem; real processes where the process matters."""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vexas_kg.cli import main
from vexas_kg.errors import OutputError
from vexas_kg.graph.store.output import JOURNAL, STAGING_PREFIX, locked, recover, write_set

OLD = {"vexas-kg.ttl": b"old turtle\n", "vexas-kg.nt": b"old n-triples\n"}


def cli(*args: str, preexec=None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from vexas_kg.cli import run; run()", *args], capture_output=True,
                          text=True, timeout=180, preexec_fn=preexec, env={**os.environ, **env})


def old_output(folder: Path) -> Path:
    write_set({folder / name: data for name, data in OLD.items()})
    return folder


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_directory_in_the_way_is_refused_and_nothing_is_replaced(tmp_path: Path) -> None:
    """Before: a traceback, and vexas-kg.ttl already replaced."""
    out = old_output(tmp_path / "D")
    os.remove(out / "vexas-kg.nt")
    (out / "vexas-kg.nt" / "keep").mkdir(parents=True)
    result = cli("build", "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{out / 'vexas-kg.nt'} exists and is not a regular file (a directory)" in result.stderr
    assert (out / "vexas-kg.ttl").read_bytes() == OLD["vexas-kg.ttl"]
    assert sorted(p.name for p in out.iterdir()) == ["vexas-kg.nt", "vexas-kg.ttl"]


def _fill_disk_after(limit: int):
    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return cap


def test_a_full_disk_leaves_the_old_set_and_one_message(tmp_path: Path) -> None:
    """The file-size limit makes every write past 200 kB fail as a full disk does (EFBIG / ENOSPC)."""
    out = old_output(tmp_path / "D")
    result = cli("build", "--out", str(out), preexec=_fill_disk_after(200_000))
    assert result.returncode == 1, result.stderr
    assert "error: cannot write" in result.stderr and str(out) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert contents(out) == OLD, "the old files must be untouched and no temporary file left"


def test_kgx_files_are_replaced_together(tmp_path: Path) -> None:
    out = tmp_path / "D"
    old = {out / "g_nodes.jsonl": b"old nodes\n", out / "g_edges.jsonl": b"old edges\n"}
    write_set(old)
    (out / "g_edges.jsonl").unlink()
    os.mkfifo(out / "g_edges.jsonl")
    result = cli("export", "--format", "kgx", "--out", str(out / "g"))
    assert result.returncode == 1 and "is not a regular file (a FIFO)" in result.stderr, result.stderr
    assert (out / "g_nodes.jsonl").read_bytes() == b"old nodes\n"
    assert stat.S_ISFIFO((out / "g_edges.jsonl").lstat().st_mode)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_honour_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    target = tmp_path / "g.ttl"
    result = cli("export", "--format", "void", "--out", str(target), preexec=lambda: os.umask(umask))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_out_dash_writes_to_standard_output(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", "from vexas_kg.cli import run; run()", "export", "--format",
                             "void", "--out", "-"], capture_output=True, text=True, cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("@prefix") and "void#Dataset" in result.stdout
    assert list(tmp_path.iterdir()) == [], "no file named '-'"


def test_out_dash_refuses_a_multi_file_format() -> None:
    result = CliRunner().invoke(main, ["export", "--format", "kgx", "--out", "-"])
    assert result.exit_code == 2 and "writes 4 files" in result.output, result.output


@pytest.mark.parametrize("kind", ["symlink to /dev/stdout", "directory", "fifo", "device"])
def test_a_non_regular_target_is_refused_never_replaced(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "x.ttl"
    if kind == "symlink to /dev/stdout":
        target.symlink_to("/dev/stdout")
    elif kind == "directory":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/null")
    before = target.lstat()
    with pytest.raises(OutputError, match=r"x\.ttl exists and is not a regular file"):
        write_set({target: "data"})
    after = target.lstat()
    assert (before.st_ino, before.st_mode) == (after.st_ino, after.st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["x.ttl"]


def test_a_second_writer_waits_for_the_lock_then_fails_with_a_message(tmp_path: Path) -> None:
    old_output(tmp_path)
    with locked(tmp_path):
        with pytest.raises(OutputError, match=r"another vexas-kg run is writing to .* \(waited 0.2 s\)"):
            write_set({tmp_path / "vexas-kg.ttl": "new"}, lock_wait_s=0.2)
    assert contents(tmp_path) == OLD


def test_an_interrupted_commit_is_completed_by_the_next_run(tmp_path: Path) -> None:
    """The state a kill leaves after the journal is written: the next writer rolls it forward first."""
    old_output(tmp_path)
    staging = tmp_path / f"{STAGING_PREFIX}abc"
    staging.mkdir()
    (staging / "vexas-kg.ttl").write_bytes(b"new turtle\n")
    (staging / "vexas-kg.nt").write_bytes(b"new n-triples\n")
    os.replace(staging / "vexas-kg.ttl", tmp_path / "vexas-kg.ttl")  # killed after the first rename
    (tmp_path / JOURNAL).write_text('{"staging": "%s", "files": ["vexas-kg.nt", "vexas-kg.ttl"]}' % staging.name)
    stale = tmp_path / f"{STAGING_PREFIX}stale"
    stale.mkdir()
    (stale / "vexas-kg.nt").write_bytes(b"half")
    recover(tmp_path)
    assert contents(tmp_path) == {"vexas-kg.ttl": b"new turtle\n", "vexas-kg.nt": b"new n-triples\n"}


def test_reserved_names_and_split_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="reserved"):
        write_set({tmp_path / JOURNAL: "x"})
    with pytest.raises(OutputError, match="share a folder"):
        write_set({tmp_path / "a": "x", tmp_path / "b" / "c": "y"})


def test_a_file_where_the_folder_should_be_is_one_message(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("keep")
    with pytest.raises(OutputError, match=r"cannot write .*file/sub/g.ttl: Not a directory"):
        write_set({tmp_path / "file" / "sub" / "g.ttl": "x"})
    assert (tmp_path / "file").read_text() == "keep"


def test_cli_build_refuses_a_changed_source_in_an_evidence_folder(evidence_copy: Path, tmp_path: Path) -> None:
    """Before: a changed source text in an --evidence folder built with exit 0."""
    source = evidence_copy / "sources" / "004_6f73882940ad8e77.txt"
    source.write_bytes(source.read_bytes().replace(b"Study finds", b"Study found", 1))
    result = CliRunner().invoke(main, ["build", "--evidence", str(evidence_copy), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "sources/004_6f73882940ad8e77.txt: the source text has changed: SHA256SUMS pins 0a64a398" in result.output
    assert not (tmp_path / "out").exists()
