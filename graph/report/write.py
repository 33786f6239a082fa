"""Write a whole site atomically: into a temporary sibling folder, then swapped into place.

Readers of ``out`` see the old site or the new one, never a mix; on any failure the
temporary folder is removed and ``out`` is left as it was. (``graph.store.output`` writes
sets of files inside one folder; a site is a tree of folders, so it is swapped whole.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

from vexas_kg.errors import OutputError

__all__ = ["OutputError", "write_site"]


def write_site(files: Mapping[str, bytes], out: Path) -> Path:
    """Write ``files`` (relative path -> bytes) as the folder ``out``; returns ``out``."""
    out = Path(out)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    old: Path | None = None
    try:
        for relative in sorted(files):
            target = staging / relative
            if target.resolve().parent != staging.resolve() and staging.resolve() not in target.resolve().parents:
                raise OutputError(f"refusing to write {relative!r} outside the report folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[relative])
        os.chmod(staging, 0o755)
        if out.exists() or out.is_symlink():
            if not out.is_dir() or out.is_symlink():
                raise OutputError(f"{out} exists and is not a folder; not replacing it")
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.replace(out, old)
        os.replace(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not out.exists():
            os.replace(old, out)
        raise OutputError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not out.exists():
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out
