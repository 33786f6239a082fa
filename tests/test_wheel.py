"""Packaging: the built wheel works on its own (installed into a clean virtualenv and run
from another directory, it finds its ontology, records and source texts as package data);
building and installing it draws no warning from setuptools or pip about the project's
packaging (licence, package data, layout); and `bash scripts/setup` in a fresh clone says
what it does in a few lines."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# setuptools' one notice for every editable install of a package-dir layout: information, not a problem
EDITABLE_NOTICE = "BuildBackendWarning: Editable installation."
WARNING = re.compile(r"WARNING|[Ww]arning:|[A-Za-z]Warning\b|is deprecated|no longer be supported")


def clean_environment() -> dict[str, str]:
    """The environment less this machine's own settings that make pip and setuptools talk:
    a pip configuration naming local index folders that do not exist ("Location … is
    ignored"), and PYTHONDONTWRITEBYTECODE ("byte-compiling is disabled")."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def warnings_in(text: str) -> list[str]:
    """Lines that warn (``WARNING:``, ``…Warning:``, deprecation notices), not package names."""
    return [line for line in text.splitlines() if WARNING.search(line)]


@pytest.mark.slow
def test_wheel_installs_and_builds_from_another_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                           capture_output=True, text=True, env=clean_environment())
    assert built.returncode == 0, built.stderr
    assert warnings_in(built.stdout + built.stderr) == []
    wheels = list(dist.glob("vexas_kg-*.whl"))
    assert len(wheels) == 1
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", str(wheels[0])], capture_output=True,
                               text=True, env=clean_environment())
    assert installed.returncode == 0, installed.stderr
    assert warnings_in(installed.stdout + installed.stderr) == []
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(env_dir / "bin" / "vexas-kg"), "build", "--out", "graph"], cwd=elsewhere,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "conforms to the shapes" in result.stdout
    assert (elsewhere / "graph" / "vexas-kg.ttl").stat().st_size > 0
    report = subprocess.run([str(env_dir / "bin" / "vexas-kg"), "report", "--out", "site"], cwd=elsewhere,
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr  # templates, stylesheet and icon ship as package data
    assert (elsewhere / "site" / "assets" / "report.css").stat().st_size > 0
    assert "forest" in (elsewhere / "site" / "comparative.html").read_text(encoding="utf-8")
    where = subprocess.run([str(python), "-c", "import vexas_kg.ontology, sys; print(vexas_kg.ontology.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert str(env_dir) in where and str(ROOT) not in where


def fresh_clone(target: Path) -> Path:
    """The tracked files of this checkout (what a clone holds), copied to ``target``."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
def test_setup_in_a_fresh_clone_is_short_and_quiet(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path / "clone")
    done = subprocess.run(["bash", "scripts/setup"], cwd=clone, capture_output=True, text=True, timeout=1200,
                          env=clean_environment())
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert 1 <= len(lines) <= 4 and all(line.startswith("setup: ") for line in lines), lines
    log = (clone / ".venv" / "setup.log").read_text(encoding="utf-8")
    assert [w for w in warnings_in(log) if EDITABLE_NOTICE not in w] == []
