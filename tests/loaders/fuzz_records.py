"""Property-based fuzzing of the YAML reader and the record loader (run by test_fuzz.py in a memory-capped process).

Random mutations of the real records and entity table (byte edits, YAML syntax tokens, bad
bytes, look-alike Unicode) must end in success or a RecordError naming the file — never another
exception, a hang (deadline per example) or unbounded memory (the process has an address-space cap).
"""

from __future__ import annotations

from importlib.resources import files

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vexas_kg.errors import RecordError
from vexas_kg.graph.builder.assemble import load_entity_table, load_record_text
from vexas_kg.loaders.entities import load_entities
from vexas_kg.loaders.strict_text import decode_strict
from vexas_kg.loaders.yaml_strict import read_yaml

EVIDENCE = files("vexas_kg.evidence")
RECORDS = {f"records/{p.name}": p.read_bytes() for p in EVIDENCE.joinpath("records").iterdir() if p.name.endswith(".yaml")}
ENTITIES_NAME = "entities.yaml"
ENTITIES = EVIDENCE.joinpath(ENTITIES_NAME).read_bytes()
TABLE = load_entity_table(EVIDENCE)
TOKENS = [b"&a ", b"*a", b"!!python/object:os.system ", b"!x ", b"<<: ", b"[", b"]", b"{", b"}", b"\xff", b"\x00",
          b"\xc0\xaf", b"\t", b"- ", b": ", b"---\n", b"...\n", b"|\n", b">-\n", b"? ", b"%YAML 1.1\n", b"#", b"'", b'"',
          b"\\", b"\n", b"    ", b"~", b"null", b"NO", b"0755", b"1e309", b"-0", b"2023-13-45", b"99999999999999999999",
          "\u2018".encode(), "\u02bc".encode(), "\u0410".encode(), "\u00a0".encode(), "\ufeff".encode(),
          "\u202e".encode(), "\ud7ff".encode(), b"[" * 40, b"{a: " * 40]
SETTINGS = settings(max_examples=150, deadline=10_000, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "token", "duplicate", "flip"]))
        at = draw(st.integers(0, len(data)))
        if kind == "delete":
            del data[at:draw(st.integers(at, min(len(data), at + 400)))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 3))
        elif kind == "duplicate":
            start = draw(st.integers(0, len(data)))
            data[at:at] = data[start:start + draw(st.integers(1, 2000))]
        elif at < len(data):
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


def records() -> st.SearchStrategy[tuple[str, bytes]]:
    return st.sampled_from(sorted(RECORDS)).flatmap(lambda name: mutated(RECORDS[name]).map(lambda d: (name, d)))


@SETTINGS
@given(records())
def test_a_mutated_record_loads_or_is_a_record_error(record: tuple[str, bytes]) -> None:
    name, data = record
    try:
        load_record_text(decode_strict(data, name), name, [EVIDENCE], TABLE)
    except RecordError as exc:
        assert exc.location is not None and exc.location.file == name, str(exc)


@SETTINGS
@given(mutated(ENTITIES))
def test_a_mutated_entity_table_loads_or_is_a_record_error(data: bytes) -> None:
    tsv = EVIDENCE.joinpath("reference", "identifiers.tsv").read_text(encoding="utf-8")
    try:
        load_entities(read_yaml(decode_strict(data, ENTITIES_NAME), ENTITIES_NAME), ENTITIES_NAME, tsv,
                      "reference/identifiers.tsv")
    except RecordError as exc:
        assert exc.location is not None, str(exc)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS + [b"a", b"1", b" "]), max_size=200).map(b"".join))
def test_token_soup_reads_or_is_a_record_error(data: bytes) -> None:
    try:
        read_yaml(decode_strict(data, "soup.yaml"), "soup.yaml")
    except RecordError as exc:
        assert exc.location is not None and exc.location.file == "soup.yaml", str(exc)
