"""The cached build's output files, joined in subject order from per-subject pieces.

A subject the change did not touch is copied, as bytes, from the files the last build wrote (only
if they still hash to what it wrote: ``Layout``); every other subject's text is its ``summary.Detail``
(N-Triples lines and Turtle block, written by the full build's serialisers). Both files are written
together (``store.output.write_set``), and where each subject now lies is kept for the next build.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from vexas_kg.graph.builder.pipeline import GRAPH_NAME
from vexas_kg.graph.builder.summary import Detail, Head
from vexas_kg.graph.store.output import write_set
from vexas_kg.graph.store.serialize import turtle_text


@dataclass
class Layout:
    """Where each subject's text lies in the output files a build wrote (byte offsets), and their hashes."""

    hashes: tuple[bytes, bytes]
    """SHA-256 of the N-Triples and of the Turtle file."""
    spans: dict[str, tuple[int, int, int, int]]
    """Per subject: start and end in the N-Triples file, start and end (blank line included) in the Turtle file."""


def write_outputs(out_dir: Path, heads: dict[str, Head], detail: Callable[[str], Detail], changed: set[str] | None,
                  previous: Layout | None) -> tuple[list[Path], Layout]:
    """Write both files: unchanged subjects' text copied from the last build's files, if they are still
    exactly what it wrote (``previous``, hashed), the rest from the subjects' details; and where each subject now lies."""
    nt_path, ttl_path = out_dir / f"{GRAPH_NAME}.nt", out_dir / f"{GRAPH_NAME}.ttl"
    old_nt = old_ttl = b""
    spans: dict[str, tuple[int, int, int, int]] = {}
    if previous is not None and changed is not None:
        try:
            old_nt, old_ttl = nt_path.read_bytes(), ttl_path.read_bytes()
        except OSError:
            old_nt = old_ttl = b""
        if (hashlib.sha256(old_nt).digest(), hashlib.sha256(old_ttl).digest()) == previous.hashes:
            spans = previous.spans
    head = turtle_text([]).encode("utf-8")[:-1]  # the prefixes, without the final newline
    nt_parts: list[bytes | memoryview] = []
    ttl_parts: list[bytes | memoryview] = [head]
    new_spans: dict[str, tuple[int, int, int, int]] = {}
    nt_at, ttl_at = 0, len(head)
    nt_view, ttl_view = memoryview(old_nt), memoryview(old_ttl)
    run: list[int] = []  # a stretch of the old files copied as one slice

    def flush() -> None:
        if run:
            nt_parts.append(nt_view[run[0]:run[1]])
            ttl_parts.append(ttl_view[run[2]:run[3]])
            run.clear()

    for subject in sorted(heads):
        span = spans.get(subject) if spans and subject not in changed else None  # type: ignore[operator]
        if span is not None:
            if run and run[1] == span[0] and run[3] == span[2]:
                run[1], run[3] = span[1], span[3]
            else:
                flush()
                run.extend(span)
            nt_len, ttl_len = span[1] - span[0], span[3] - span[2]
        else:
            flush()
            lines, block, _ = detail(subject)
            nt_text, ttl_text = lines.encode("utf-8"), ("\n\n" + block).encode("utf-8")
            nt_parts.append(nt_text)
            ttl_parts.append(ttl_text)
            nt_len, ttl_len = len(nt_text), len(ttl_text)
        new_spans[subject] = (nt_at, nt_at + nt_len, ttl_at, ttl_at + ttl_len)
        nt_at, ttl_at = nt_at + nt_len, ttl_at + ttl_len
    flush()
    ttl_parts.append(b"\n")
    nt, ttl = b"".join(nt_parts), b"".join(ttl_parts)
    written = write_set({ttl_path: ttl, nt_path: nt})
    return written, Layout((hashlib.sha256(nt).digest(), hashlib.sha256(ttl).digest()), new_spans)

