"""The console script's entry point (`vexas_kg.cli.run`) in a real process: exit codes, and every
byte of output delivered although the process ends without interpreter teardown."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from vexas_kg.cli import main


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vexas_kg.cli", *args], capture_output=True, text=True, timeout=300)


def test_success_exits_0_with_all_output() -> None:
    done = cli("validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("conforms: yes\n")


def test_large_output_through_a_pipe_is_complete() -> None:
    done = cli("query", "citation-audit", "--format", "csv")
    assert done.returncode == 0, done.stderr
    expected = CliRunner().invoke(main, ["query", "citation-audit", "--format", "csv"]).output
    assert len(done.stdout) > 10_000
    assert done.stdout == expected.replace("\r\n", "\n")


def test_usage_and_data_errors_keep_their_exit_codes() -> None:
    usage = cli("query", "contrasts", "--format", "xml")
    assert usage.returncode == 2
    assert "Invalid value for '--format'" in usage.stderr
    unknown = cli("query", "contrast")
    assert unknown.returncode == 2
    assert unknown.stderr == "error: no named query 'contrast'; did you mean contrasts?\n"
