"""Typed, located access to the fields of a curated record.

Every accessor converts the exact YAML text to its declared type, or raises a
``RecordError`` naming file, line and field. Unknown keys are errors too
(``Fields.done``), so a misspelt field never vanishes silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterator

from vexas_kg.errors import Location, RecordError
from vexas_kg.loaders.yaml_strict import Mapping, Scalar, Sequence, Value

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REF_ID = re.compile(r"^(?:(?P<doc>[a-z0-9]+):)?(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$")
INTEGER = re.compile(r"^(?:0|[1-9][0-9]*)$")
DECIMAL = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$")
DURATION = re.compile(r"^P(?:[1-9][0-9]*D|[1-9]M|1[01]M|[1-9][0-9]*Y)$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class QuoteRef:
    """A quote as written in a record: its text, chosen occurrence, and where it was written."""

    text: str
    occurrence: int | None
    location: Location


class Fields:
    """A record mapping read field by field."""

    def __init__(self, value: Value, file: str, path: str) -> None:
        if not isinstance(value, Mapping):
            raise RecordError("expected a mapping of fields", Location(file, _line(value), path))
        self.mapping = value
        self.file = file
        self.path = path
        self._seen: set[str] = set()

    def where(self, key: str = "") -> Location:
        """The location of ``key`` (or of the mapping itself)."""
        line = self.mapping.key_lines.get(key, self.mapping.line)
        return Location(self.file, line, self._path(key))

    def _path(self, key: str) -> str:
        if not key:
            return self.path
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> RecordError:
        return RecordError(message, self.where(key))

    def has(self, key: str) -> bool:
        return key in self.mapping.items

    def _raw(self, key: str, required: bool) -> Value | None:
        self._seen.add(key)
        value = self.mapping.items.get(key)
        if value is None and required:
            raise RecordError(f"missing required field {key!r}", Location(self.file, self.mapping.line, self._path(key)))
        return value

    def _scalar(self, key: str, required: bool) -> Scalar | None:
        value = self._raw(key, required)
        if value is None:
            return None
        if not isinstance(value, Scalar):
            raise self.error(key, "expected a single value, not a list or mapping")
        return value

    def text(self, key: str, required: bool = True) -> str | None:
        scalar = self._scalar(key, required)
        if scalar is None:
            return None
        if not scalar.text.strip():
            raise self.error(key, "must not be empty")
        return scalar.text

    def slug(self, key: str, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and not SLUG.match(value):
            raise self.error(key, f"{value!r} is not a slug (lower-case letters, digits and single hyphens)")
        return value

    def integer(self, key: str, required: bool = True) -> int | None:
        scalar = self._scalar(key, required)
        if scalar is None:
            return None
        if not INTEGER.match(scalar.text):
            hint = " (a leading zero is read as octal by YAML 1.1 tools; write the number without it)" if re.match(r"^0\d+$", scalar.text) else ""
            raise self.error(key, f"{scalar.text!r} is not a whole number{hint}")
        return int(scalar.text)

    def decimal(self, key: str, required: bool = True) -> str | None:
        """A number kept as its exact printed text (never rounded): '5.20' stays '5.20'."""
        scalar = self._scalar(key, required)
        if scalar is None:
            return None
        if not DECIMAL.match(scalar.text):
            hint = " (a leading zero is read as octal by YAML 1.1 tools)" if re.match(r"^0\d+$", scalar.text) else ""
            raise self.error(key, f"{scalar.text!r} is not a number{hint}")
        try:
            Decimal(scalar.text)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes this
            raise self.error(key, f"{scalar.text!r} is not a number") from None
        return scalar.text

    def pattern(self, key: str, regex: re.Pattern[str], what: str, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and not regex.match(value):
            raise self.error(key, f"{value!r} is not {what}")
        return value

    def choice(self, key: str, allowed: set[str], required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and value not in allowed:
            raise self.error(key, f"{value!r} is not one of: {', '.join(sorted(allowed))}")
        return value

    def boolean(self, key: str, required: bool = True) -> bool | None:
        value = self.text(key, required)
        if value is None:
            return None
        if value not in ("true", "false"):
            raise self.error(key, f"{value!r} is not true or false (YAML 1.1 words such as yes/no/on/off are not booleans here)")
        return value == "true"

    def _sequence(self, key: str) -> list[Value]:
        value = self._raw(key, False)
        if value is None:
            return []
        if isinstance(value, Scalar):
            return [value]
        if not isinstance(value, Sequence):
            raise self.error(key, "expected a list")
        return value.items

    def texts(self, key: str) -> list[str]:
        """A list of plain texts (or a single text)."""
        out = []
        for i, item in enumerate(self._sequence(key)):
            if not isinstance(item, Scalar):
                raise RecordError("expected a text", Location(self.file, _line(item), f"{self._path(key)}[{i}]"))
            out.append(item.text)
        return out

    def slugs(self, key: str) -> list[str]:
        out = []
        for i, item in enumerate(self._sequence(key)):
            if not isinstance(item, Scalar) or not SLUG.match(item.text):
                raise RecordError("expected a slug", Location(self.file, _line(item), f"{self._path(key)}[{i}]"))
            out.append(item.text)
        return out

    def refs(self, key: str) -> list[tuple[str | None, str, Location]]:
        """Item references: ``slug`` (same document) or ``doc:slug`` (another document)."""
        out = []
        for i, item in enumerate(self._sequence(key)):
            loc = Location(self.file, _line(item), f"{self._path(key)}[{i}]")
            match = REF_ID.match(item.text) if isinstance(item, Scalar) else None
            if match is None:
                raise RecordError("expected an item id or doc:item-id", loc)
            out.append((match["doc"], match["slug"], loc))
        return out

    def integers(self, key: str) -> list[int]:
        out = []
        for i, item in enumerate(self._sequence(key)):
            if not isinstance(item, Scalar) or not INTEGER.match(item.text):
                raise RecordError("expected a whole number", Location(self.file, _line(item), f"{self._path(key)}[{i}]"))
            out.append(int(item.text))
        return out

    def holds_mappings(self, key: str) -> bool:
        """Whether ``key`` is a list of mappings (a field written either as texts or as entries)."""
        return any(isinstance(item, Mapping) for item in self._sequence(key))

    def items(self, key: str) -> Iterator["Fields"]:
        for i, item in enumerate(self._sequence(key)):
            yield Fields(item, self.file, f"{self._path(key)}[{i}]")

    def sub(self, key: str, required: bool = True) -> "Fields | None":
        value = self._raw(key, required)
        return None if value is None else Fields(value, self.file, self._path(key))

    def quotes(self, key: str = "quote", required: bool = True) -> list[QuoteRef]:
        """A quote or a list of quotes; each a string or ``{text, occurrence}``."""
        out: list[QuoteRef] = []
        value = self._raw(key, required)
        if value is None:
            return out
        items = value.items if isinstance(value, Sequence) else [value]
        for i, item in enumerate(items):
            path = self._path(key) if not isinstance(value, Sequence) else f"{self._path(key)}[{i}]"
            loc = Location(self.file, _line(item), path)
            if isinstance(item, Scalar):
                out.append(QuoteRef(item.text, None, loc))
            elif isinstance(item, Mapping):
                sub = Fields(item, self.file, path)
                text = sub.text("text")
                occurrence = sub.integer("occurrence", required=False)
                sub.done()
                out.append(QuoteRef(text or "", occurrence, loc))
            else:
                raise RecordError("expected a quote (text) or {text, occurrence}", loc)
        if required and not out:
            raise self.error(key, "at least one quote is required")
        return out

    def done(self) -> None:
        """Fail on any key that no accessor asked for: a misspelt field is an error."""
        unknown = [key for key in self.mapping.items if key not in self._seen]
        if unknown:
            key = unknown[0]
            raise self.error(key, f"unknown field {key!r}; expected one of: {', '.join(sorted(self._seen))}")


def _line(value: Value) -> int:
    return value.line
