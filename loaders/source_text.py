"""Finding verbatim quotes in a source text, and the numbers printed in it.

Sources break sentences across blank lines, so a quote is matched after collapsing
every run of white space to one space, on both sides; the span recorded is the one in
the original text, so ``text[start:end]`` is the exact source passage.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

_SPACE = re.compile(r"\s+")
NUMBER = re.compile(r"\d+(?:\.\d+)?")

WORD_NUMBERS = {
    "no": "0", "none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    "eleven": "11", "twelve": "12",
}


def normalise(text: str) -> str:
    """Collapse white space runs to one space and strip the ends."""
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) of the original source text."""

    start: int
    end: int


class NotFound(Exception):
    """The quote is not in the text; ``closest`` is the most similar passage."""

    def __init__(self, closest: str) -> None:
        self.closest = closest
        super().__init__(closest)


class Ambiguous(Exception):
    """The quote occurs more than once and no occurrence was chosen."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(count)


class SourceText:
    """A source document's text with a white-space-normalised view for matching."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        chars: list[str] = []
        positions: list[int] = []
        pending_space = False
        for index, char in enumerate(text):
            if char.isspace():
                pending_space = bool(chars)
                continue
            if pending_space:
                chars.append(" ")
                positions.append(index - 1)
                pending_space = False
            chars.append(char)
            positions.append(index)
        self.normalised = "".join(chars)
        self._positions = positions

    @cached_property
    def sha256(self) -> str:
        """Hash of the exact text, recorded so that offsets can be trusted later."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def locate(self, quote: str, occurrence: int | None = None) -> Span:
        """Return the original-text span of ``quote`` (1-based ``occurrence`` if it repeats)."""
        needle = normalise(quote)
        if not needle:
            raise NotFound("")
        starts = self._occurrences(needle)
        if not starts:
            raise NotFound(self.closest(needle))
        if occurrence is None:
            if len(starts) > 1:
                raise Ambiguous(len(starts))
            occurrence = 1
        if not 1 <= occurrence <= len(starts):
            raise Ambiguous(len(starts))
        begin = starts[occurrence - 1]
        return Span(self._positions[begin], self._positions[begin + len(needle) - 1] + 1)

    def _occurrences(self, needle: str) -> list[int]:
        """Start offsets of the non-overlapping occurrences of ``needle`` in the normalised text."""
        starts = []
        found = self.normalised.find(needle)
        while found >= 0:
            starts.append(found)
            found = self.normalised.find(needle, found + len(needle))
        return starts

    def closest(self, needle: str) -> str:
        """The passage of the normalised text best aligned with ``needle``'s longest matching run."""
        hay = self.normalised
        matcher = difflib.SequenceMatcher(None, hay, needle, autojunk=False)
        match = matcher.find_longest_match(0, len(hay), 0, len(needle))
        begin = max(0, match.a - match.b)
        return hay[begin : begin + len(needle)]


def numbers_in(text: str) -> set[str]:
    """The numbers printed in ``text``: digit runs (with decimals) and number words."""
    found = set(NUMBER.findall(text))
    for word in re.findall(r"[A-Za-z]+", text):
        if word.lower() in WORD_NUMBERS:
            found.add(WORD_NUMBERS[word.lower()])
    return found
