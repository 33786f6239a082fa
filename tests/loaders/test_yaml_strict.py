"""Strict YAML 1.2 reading: exact text, lines, and no silent surprises."""

from __future__ import annotations

import pytest

from vexas_kg.errors import RecordError
from vexas_kg.loaders.fields import Fields
from vexas_kg.loaders.yaml_strict import Mapping, Scalar, Sequence, read_yaml


def test_scalars_keep_their_exact_text_and_line() -> None:
    tree = read_yaml("a: NO\nb: 0755\nc: 5.20\nd: '2.50'\ne: [1, yes]\n", "x.yaml")
    assert isinstance(tree, Mapping)
    assert tree.items["a"] == Scalar("NO", 1, False)
    assert tree.items["b"] == Scalar("0755", 2, False)
    assert tree.items["c"] == Scalar("5.20", 3, False)
    assert tree.items["d"] == Scalar("2.50", 4, True)
    seq = tree.items["e"]
    assert isinstance(seq, Sequence) and [s.text for s in seq.items] == ["1", "yes"]
    assert tree.key_lines == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(RecordError) as info:
        read_yaml("doc:\n  a: 1\n  b: 2\n  a: 3\n", "x.yaml")
    assert str(info.value) == "x.yaml:4: doc.a: duplicate key 'a' (first at line 2)"


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(RecordError) as info:
        read_yaml("a: 1\nb: [2, 3\nc: 4\n", "x.yaml")
    assert str(info.value).startswith("x.yaml:")
    assert "malformed YAML" in str(info.value)


def test_merge_keys_are_refused() -> None:
    with pytest.raises(RecordError, match="merge keys"):
        read_yaml("other:\n  <<: {a: 1}\n", "x.yaml")


def test_empty_file_is_an_error() -> None:
    with pytest.raises(RecordError, match="x.yaml:1: the file is empty"):
        read_yaml("", "x.yaml")


def fields(text: str) -> Fields:
    return Fields(read_yaml(text, "x.yaml"), "x.yaml", "")


def test_integer_fields_refuse_leading_zero_and_words() -> None:
    with pytest.raises(RecordError, match=r"x.yaml:1: n: '0755' is not a whole number \(a leading zero"):
        fields("n: 0755\n").integer("n")
    with pytest.raises(RecordError, match=r"'ten' is not a whole number"):
        fields("n: ten\n").integer("n")
    assert fields("n: 110\n").integer("n") == 110


def test_decimal_fields_keep_printed_text() -> None:
    assert fields("v: 5.20\n").decimal("v") == "5.20"
    with pytest.raises(RecordError, match="is not a number"):
        fields("v: 1e3\n").decimal("v")


def test_booleans_are_only_true_or_false() -> None:
    assert fields("b: true\n").boolean("b") is True
    with pytest.raises(RecordError, match="yes/no/on/off are not booleans"):
        fields("b: NO\n").boolean("b")


def test_unknown_field_is_reported_with_its_line() -> None:
    f = fields("value: 1\nvaule: 2\n")
    f.text("value")
    with pytest.raises(RecordError) as info:
        f.done()
    assert str(info.value) == "x.yaml:2: vaule: unknown field 'vaule'; expected one of: value"
