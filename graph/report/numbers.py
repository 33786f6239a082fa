"""Numbers as the report shows them: printed forms, durations in words, Wilson intervals.

Nothing here invents a figure. A value is shown in the form its quote prints (a store
that keeps numbers by value returns ``5.2`` for a printed ``5.20``); an interval is
either the one the source reports or, where the source prints n and N, a Wilson 95 %
interval that the report computes and marks as computed.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Iterable

_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\d])")
_DURATION = re.compile(r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?$")
_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day"}
Z95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95 % interval."""


def decimal(text: object) -> Decimal | None:
    """``text`` as a Decimal, or None when it is not a plain number."""
    if text is None:
        return None
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def printed(value: object, quotes: Iterable[str]) -> str:
    """The form in which ``value`` is printed in one of ``quotes`` (``5.20`` for 5.2), else ``value`` as given."""
    text = "" if value is None else str(value)
    wanted = decimal(text)
    if wanted is None:
        return text
    for quote in quotes:
        for token in _NUMBER.findall(quote):
            if token != text and decimal(token) == wanted:
                return token
    return text


def in_words(duration: object) -> str:
    """An ISO 8601 duration in words (``P6M`` -> ``6 months``); any other text unchanged."""
    text = "" if duration is None else str(duration)
    match = _DURATION.match(text)
    if not match or text == "P":
        return text
    parts = []
    for key in "YMWD":
        count = match.group(key)
        if count is not None:
            parts.append(f"{int(count)} {_UNITS[key]}{'' if int(count) == 1 else 's'}")
    return ", ".join(parts)


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``total`` (as proportions, 0..1).

    Chosen over the normal approximation because it stays inside 0..1 and behaves for
    the very small groups (n = 3, n = 5) that VEXAS studies report.
    """
    if total <= 0 or not 0 <= successes <= total:
        raise ValueError(f"cannot compute a Wilson interval for {successes}/{total}")
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def percent(proportion: float) -> str:
    """A computed proportion as a percentage with one decimal (computed values are marked as such)."""
    return f"{proportion * 100:.1f}"


NUMBER_WORDS: dict[int, tuple[str, ...]] = {
    0: ("no", "none", "zero"), 1: ("one", "single"), 2: ("two", "both"), 3: ("three",), 4: ("four",), 5: ("five",),
    6: ("six",), 7: ("seven",), 8: ("eight",), 9: ("nine",), 10: ("ten",), 11: ("eleven",), 12: ("twelve",),
}
"""Small counts that sources print as words ("no complete responses in the five patients")."""


def quote_prints(quote: str, value: object) -> bool:
    """Whether ``quote`` prints ``value``: as digits (``5.20`` prints 5.2) or, for a small count, as a word."""
    wanted = decimal(value)
    if wanted is None:
        return False
    if any(decimal(token) == wanted for token in _NUMBER.findall(quote)):
        return True
    if wanted == wanted.to_integral() and int(wanted) in NUMBER_WORDS:
        words = set(re.findall(r"[a-z]+", quote.casefold()))
        return any(word in words for word in NUMBER_WORDS[int(wanted)])
    return False
