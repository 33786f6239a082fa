"""The build cache: what an earlier build computed, keyed by the hash of everything it was computed from.

Kinds of entry, each one file in the cache folder (by default ``OUT/.vexas-kg-cache``):

- ``load-<key>``: one record's ``summary.Summary`` (what the checks read of it, a head per
  subject), and ``detail-<key>`` its per-subject details (lines, Turtle block, triples). The key
  hashes the code fingerprint, the shared evidence files (``entities.yaml``, the reference tables),
  the record's name and bytes; the summary also names its source file and that file's hash, which
  must still match the file and ``sources/SHA256SUMS``.
- ``shared-<key>`` and ``detail-<key>``: the same for the vocabulary, entities and publications
  (the key hashes the code fingerprint and the shared files).
- ``shacl-<key>``: the SHACL results of one validation part (``partition``); the key hashes the
  part's triples, the focus nodes it reports on and the code fingerprint.
- ``plan-<key>``: the last build's validation parts, subject digests, backward links, re-assembled
  subjects and the layout of its output files (the key hashes the code fingerprint).

The code fingerprint hashes the package version, the versions of rdflib and pySHACL and every
file of the packages that turn records into triples and check them (loaders, builder, store,
ontology: vocabulary and shapes included), so a change to any of them invalidates everything.

An entry is its key, a SHA-256 of its payload and the payload (a pickle). One that is
truncated, altered or stored under another key is never used: it counts as a miss, is
re-computed and overwritten, and the build report says how many were rejected. Entries are
written to a temporary file and renamed into place, so a killed build leaves whole entries
or none. The digest detects damage, not tampering: the cache folder is trusted like the
output folder (pickles run code when read), so keep it where only its owner can write.
After a successful build, entries that build did not use are removed.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from vexas_kg.errors import OutputError

CACHE_FOLDER = ".vexas-kg-cache"
MAGIC = b"vexas-kg cache 1\n"
FINGERPRINTED = ("vexas_kg", "vexas_kg.loaders", "vexas_kg.graph.builder", "vexas_kg.graph.store", "vexas_kg.ontology")


@lru_cache(maxsize=1)
def code_fingerprint() -> bytes:
    """A hash of the versions and files of everything that produces or checks triples."""
    digest = hashlib.sha256()
    for dist in ("vexas-kg", "rdflib", "pyshacl"):
        digest.update(f"{dist}={metadata.version(dist)}\n".encode())
    for name, data in fingerprinted_files().items():
        digest.update(name.encode() + b"\n" + hashlib.sha256(data).digest())
    return digest.digest()


def fingerprinted_files() -> dict[str, bytes]:
    """The files the code fingerprint hashes, as ``package/file name`` -> bytes."""
    found = {}
    for package in FINGERPRINTED:
        for entry in sorted(files(package).iterdir(), key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith((".py", ".ttl", ".jsonld")):
                found[f"{package}/{entry.name}"] = entry.read_bytes()
    return found


@dataclass
class Stats:
    """What the cache gave one build."""

    hits: dict[str, int] = field(default_factory=dict)
    misses: dict[str, int] = field(default_factory=dict)
    rejected: int = 0

    def count(self, kind: str, hit: bool) -> None:
        table = self.hits if hit else self.misses
        table[kind] = table.get(kind, 0) + 1

    def recount(self, kind: str) -> None:
        """Count a hit that turned out unusable as a miss."""
        self.hits[kind] -= 1
        self.misses[kind] = self.misses.get(kind, 0) + 1

    def text(self, folder: Path) -> str:
        def one(kind: str, noun: str) -> str:
            hits, total = self.hits.get(kind, 0), self.hits.get(kind, 0) + self.misses.get(kind, 0)
            return f"{hits} of {total} {noun}"

        line = f"cache {folder}: reused {one('load', 'loaded records')}, {one('shacl', 'validation parts')}"
        if self.rejected:
            line += f"; {self.rejected} damaged or mismatched entries ignored and re-computed"
        return line


class BuildCache:
    """A folder of cache entries; every problem using it is an OutputError naming it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stats = Stats()
        self._used: set[str] = set()
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise OutputError(f"the build cache {folder} exists and is not a folder; it is left as it is — "
                              "remove it, choose another with --cache, or build without the cache (no --incremental)")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK | os.X_OK):
                raise PermissionError(13, "Permission denied", str(folder))
        except OSError as exc:
            raise self._error("cannot use", exc) from None

    def get(self, kind: str, key: str) -> Any | None:
        """The value stored under ``key``, or None if absent, damaged or stored under another key."""
        name = f"{kind}-{key}"
        self._used.add(name)
        try:
            data = (self.folder / name).read_bytes()
        except FileNotFoundError:
            self.stats.count(kind, False)
            return None
        except OSError as exc:
            raise self._error("cannot read", exc) from None
        value = _decode(data, key)
        if value is None:
            self.stats.rejected += 1
        self.stats.count(kind, value is not None)
        return value

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is stored under ``key`` (not whether it is intact: ``get`` checks that)."""
        return (self.folder / f"{kind}-{key}").is_file()

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` (a whole file or nothing)."""
        name = f"{kind}-{key}"
        self._used.add(name)
        payload = dumps((key, value))
        data = MAGIC + hashlib.sha256(payload).digest() + payload
        temp = ""
        try:
            handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temp, self.folder / name)
        except OSError as exc:
            if temp:
                Path(temp).unlink(missing_ok=True)
            raise self._error("cannot write", exc) from None

    def prune(self) -> None:
        """Remove the entries this build did not use, and temporary files of killed builds."""
        try:
            for entry in self.folder.iterdir():
                if entry.name not in self._used and entry.name.startswith(("load-", "detail-", "shacl-", "turtle-", "shared-", "plan-", ".tmp-")):
                    entry.unlink(missing_ok=True)
        except OSError as exc:
            raise self._error("cannot clean", exc) from None

    def _error(self, verb: str, exc: OSError) -> OutputError:
        where = exc.filename or self.folder
        return OutputError(f"{verb} the build cache {where}: {exc.strerror or exc} "
                           "(choose another folder with --cache, or build without the cache: no --incremental)")


def _uri(text: str) -> URIRef:
    """A URIRef as pickled by ``dumps``: its text was checked when it was first made."""
    return str.__new__(URIRef, text)


def _literal(lexical: str, language: str | None, datatype: URIRef | None, value: Any, ill_typed: bool | None) -> Literal:
    """A Literal as pickled by ``dumps``, its parsed value restored rather than parsed again."""
    literal = str.__new__(Literal, lexical)
    literal._language, literal._datatype, literal._value, literal._ill_typed = language, datatype, value, ill_typed
    return literal


class _TermPickler(pickle.Pickler):
    """Pickles rdflib terms by their parts, so that loading them skips rdflib's checks and parsing (5x faster)."""

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is URIRef:
            return _uri, (str(obj),)
        if kind is Literal:
            return _literal, (str(obj), obj.language, obj.datatype, obj.value, obj.ill_typed)
        return NotImplemented


def dumps(value: Any) -> bytes:
    """``value`` pickled, its rdflib terms by their parts (``_TermPickler``)."""
    stream = io.BytesIO()
    _TermPickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return stream.getvalue()


def _decode(data: bytes, key: str) -> Any | None:
    head = len(MAGIC) + 32
    if not data.startswith(MAGIC) or len(data) <= head:
        return None
    digest, payload = data[len(MAGIC):head], data[head:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        stored_key, value = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any unreadable payload is a miss, re-computed
        return None
    return value if stored_key == key else None
