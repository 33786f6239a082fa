"""Loaded by every Python process of a mutation run (PYTHONPATH): imports one module with one planted change.

``VEXAS_KG_MUTANT`` holds ``{"module", "old", "new"}``; the module's source is read, ``old``
(which must occur exactly once) replaced by ``new``, and the result executed as that module.
Subprocesses the tests start inherit the variable, so they run the mutant too.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import sys
from pathlib import Path


class _MutantLoader(importlib.abc.Loader):
    def __init__(self, origin: str, old: str, new: str) -> None:
        self.origin, self.old, self.new = origin, old, new

    def create_module(self, spec):  # noqa: ANN001 - the default module object
        return None

    def exec_module(self, module) -> None:  # noqa: ANN001
        source = Path(self.origin).read_text(encoding="utf-8")
        if source.count(self.old) != 1:
            raise RuntimeError(f"stale mutant: the text to change occurs {source.count(self.old)} times in {self.origin}")
        exec(compile(source.replace(self.old, self.new), self.origin, "exec"), module.__dict__)


class _MutantFinder(importlib.abc.MetaPathFinder):
    def __init__(self, mutant: dict[str, str]) -> None:
        self.mutant = mutant

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001
        if fullname != self.mutant["module"]:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.origin is None:
            return None
        spec.loader = _MutantLoader(spec.origin, self.mutant["old"], self.mutant["new"])
        return spec


if os.environ.get("VEXAS_KG_MUTANT"):
    sys.meta_path.insert(0, _MutantFinder(json.loads(os.environ["VEXAS_KG_MUTANT"])))
