"""The package's modules import each other without cycles (issue 13: graph/ split along its seams).

Every import counts, also one inside a function: a cycle hidden in a function still ties two
modules into one job. Imports under ``if TYPE_CHECKING:`` are left out (they never run).
"""

from __future__ import annotations

import ast
import pkgutil
from importlib.util import find_spec
from pathlib import Path

import networkx as nx
import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = "vexas_kg"


def _modules() -> dict[str, str]:
    """Every module of the package (its subpackages live in the repository's folders): name -> file."""
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    found = {}
    for package in project["tool"]["setuptools"]["packages"]:
        spec = find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        if spec.origin and spec.origin.endswith(".py"):
            found[package] = spec.origin
        for info in pkgutil.iter_modules(list(spec.submodule_search_locations), prefix=f"{package}."):
            if not info.ispkg:
                module = find_spec(info.name)
                if module is not None and module.origin and module.origin.endswith(".py"):
                    found[info.name] = module.origin
    return found


def _imports(name: str, path: str, known: set[str]) -> set[str]:
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    skipped = {id(node) for branch in ast.walk(tree) if isinstance(branch, ast.If)
               and "TYPE_CHECKING" in ast.unparse(branch.test) for stmt in branch.body for node in ast.walk(stmt)}
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                out.add(target)
    return out


def test_no_module_imports_itself_through_others() -> None:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in _imports(name, path, set(modules)):
            if not target.endswith("__init__") and target not in (ROOT,):
                graph.add_edge(name, target)
    # A package's __init__ re-exporting its modules is not a cycle of jobs: only module-to-module edges.
    plain = graph.subgraph(n for n in graph if not _is_package(modules[n]))
    cycles = list(nx.simple_cycles(plain))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:10])


def _is_package(path: str) -> bool:
    return path.endswith("__init__.py")
