"""Bytes to text for every input file: a size bound, then strict UTF-8 with the line of a bad byte.

Records, source texts and reference tables are small curated files; a file far larger
than any of them is refused before it is decoded, and a byte that is not UTF-8 is an error
that names its line and column (a replacement character would silently change a quote).
"""

from __future__ import annotations

from vexas_kg.errors import Location, RecordError

MAX_INPUT_BYTES = 8 * 1024 * 1024
"""Largest record, source text or table read (the largest shipped file is under 100 kB)."""


def decode_strict(data: bytes, file: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """``data`` as UTF-8 text; raise RecordError naming the file and line if too large or not UTF-8."""
    if len(data) > max_bytes:
        raise RecordError(f"the file is {len(data)} bytes; the limit is {max_bytes}", Location(file, 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RecordError(f"byte 0x{data[exc.start]:02x} at column {column} is not UTF-8 ({exc.reason})",
                          Location(file, line)) from None
    return text
