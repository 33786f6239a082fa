"""Numbers the report shows: printed forms, durations in words, Wilson intervals."""

from __future__ import annotations

import pytest

from vexas_kg.graph.report.numbers import in_words, printed, wilson


@pytest.mark.parametrize(("n", "total", "low", "high"), [
    # Reference values: Wilson score interval, z = 1.959964 (as statsmodels' proportion_confint(method="wilson")).
    (0, 5, 0.0, 0.4345),
    (2, 5, 0.1176, 0.7693),
    (3, 3, 0.4385, 1.0),
    (10, 11, 0.6226, 0.9838),
])
def test_wilson_matches_reference_values(n: int, total: int, low: float, high: float) -> None:
    got = wilson(n, total)
    assert got == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(("n", "total"), [(1, 0), (6, 5), (-1, 5)])
def test_wilson_refuses_impossible_counts(n: int, total: int) -> None:
    with pytest.raises(ValueError):
        wilson(n, total)


def test_a_value_is_shown_as_its_quote_prints_it() -> None:
    quote = "risk ratio 2.47,95% CI 1.18-5.20; p=0.018"
    assert printed("5.2", [quote]) == "5.20"
    assert printed("2.47", [quote]) == "2.47"
    assert printed("0.018", [quote]) == "0.018"
    assert printed("7", [quote]) == "7"
    assert printed("text", [quote]) == "text"


@pytest.mark.parametrize(("duration", "words"), [
    ("P6M", "6 months"), ("P1M", "1 month"), ("P1Y6M", "1 year, 6 months"), ("P2W", "2 weeks"),
    ("during follow-up", "during follow-up"), ("", ""),
])
def test_durations_in_words(duration: str, words: str) -> None:
    assert in_words(duration) == words


@pytest.mark.parametrize(("quote", "value", "expected"), [
    ("with 91% response rate at 6 months", "91", True),
    ("risk ratio 2.47,95% CI 1.18-5.20; p=0.018", "5.2", True),
    ("no complete responses in the five patients", "0", True),
    ("no complete responses in the five patients", "5", True),
    ("with 91% response rate at 6 months", "9", False),
    ("with 91% response rate at 6 months", "1", False),
    ("in the five patients", "4", False),
])
def test_whether_a_quote_prints_a_value(quote: str, value: str, expected: bool) -> None:
    from vexas_kg.graph.report.numbers import quote_prints

    assert quote_prints(quote, value) is expected
