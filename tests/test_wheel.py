"""The built wheel works on its own: installed into a clean virtualenv and run from
another directory, it finds its ontology, records and source texts as package data."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_builds_from_another_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheels = list(dist.glob("vexas_kg-*.whl"))
    assert len(wheels) == 1
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], check=True,
                   capture_output=True)
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
