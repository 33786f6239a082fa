"""One error tree under ``VexasKGError``; the CLI maps each branch to a documented exit code."""

from __future__ import annotations

from dataclasses import dataclass


class VexasKGError(Exception):
    """Root of every error vexas-kg raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, a 1-based line (0 if unknown) and a field path."""

    file: str
    line: int = 0
    field: str = ""

    def __str__(self) -> str:
        base = f"{self.file}:{self.line}" if self.line else self.file
        return f"{base}: {self.field}" if self.field else base


class DataError(VexasKGError):
    """Invalid input data: a record, a source text or an RDF file. Exit code 1."""

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class RecordError(DataError):
    """A curated record is malformed or disagrees with its source text."""


class QuoteError(RecordError):
    """A quote is not in its source text, or is ambiguous there."""


class ShapeViolation(DataError):
    """The graph does not conform to the SHACL shapes."""

    def __init__(self, message: str, report: str = "") -> None:
        self.report = report
        super().__init__(message)


class RDFSyntaxError(DataError):
    """An RDF file does not parse."""


class OutputError(VexasKGError):
    """An output could not be written: disk full, read-only, a directory or device in the way. Exit code 1.

    Nothing of the set being written has replaced the old files.
    """

    exit_code = 1


class UsageError(VexasKGError):
    """The command was called wrongly: unknown query, parameter or label. Exit code 2."""

    exit_code = 2


class QueryError(VexasKGError):
    """A SPARQL query failed to parse or run. Exit code 3."""

    exit_code = 3


class EndpointError(VexasKGError):
    """A SPARQL endpoint or server could not be reached, started or updated. Exit code 4."""

    exit_code = 4
