"""Quote location across the sources' broken lines, and number reading."""

from __future__ import annotations

import pytest

from vexas_kg.loaders.source_text import Ambiguous, NotFound, SourceText, numbers_in

TEXT = "Intro.\n\nThe overall response, including complete and partial\n\nremission, was 24% with JAK inhibitors. 24% again."


def test_quote_across_blank_lines_maps_back_to_original_offsets() -> None:
    source = SourceText("s.txt", TEXT)
    span = source.locate("complete and partial remission, was 24%")
    assert TEXT[span.start : span.end] == "complete and partial\n\nremission, was 24%"


def test_missing_quote_reports_the_closest_passage() -> None:
    source = SourceText("s.txt", TEXT)
    with pytest.raises(NotFound) as info:
        source.locate("complete and partial remission, was 25%")
    assert info.value.closest == "complete and partial remission, was 24%"


def test_ambiguous_quote_needs_an_occurrence() -> None:
    source = SourceText("s.txt", TEXT)
    with pytest.raises(Ambiguous) as info:
        source.locate("24%")
    assert info.value.count == 2
    second = source.locate("24%", occurrence=2)
    assert TEXT[second.start : second.end] == "24%" and second.start > TEXT.index("24%")


def test_numbers_in_reads_digits_decimals_ranges_and_words() -> None:
    assert numbers_in("risk ratio 2.47,95% CI 1.18-5.20; p=0.018") == {"2.47", "95", "1.18", "5.20", "0.018"}
    assert numbers_in("no complete responses in the five patients") == {"0", "5"}
    assert numbers_in("<500/mm³") == {"500"}


def test_sha256_is_of_the_exact_text() -> None:
    import hashlib

    assert SourceText("s.txt", TEXT).sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
