"""Criteria (parameter, operator, value, unit) and response definitions.

A criterion names what is measured (``parameter``, from a closed list so that a verb such as
"drops" can never stand in for haemoglobin), how it is compared and against what. A response
definition records its defining words verbatim (``definition``: the whole tail of its quote, so
a clause cannot be dropped), and every clause of them must be covered by a criterion.
"""

from __future__ import annotations

import re

from vexas_kg.loaders.fields import Fields
from vexas_kg.loaders.source_text import normalise

OPERATORS = {"<", "<=", ">", ">=", "=", "reduction-by", "decrease-by-more-than", "met"}
# How each operator reads between a parameter and its value, wherever a criterion is printed
# (trace, provenance-trail, the report): never a bare "=" for a threshold that is not one.
OPERATOR_WORDS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "=", "reduction-by": "reduced by",
                  "decrease-by-more-than": "drops by more than", "met": "met"}
PARAMETERS = {
    "ANC", "CRP", "CrCl", "clinical remission", "continued disease activity or inflammation", "corticosteroids",
    "hemoglobin", "latent TB treatment", "lymphocyte count", "the inability to reduce steroids",
}
"""Every parameter a criterion may name; a new one is added here on purpose (a noun, not a verb)."""
CLAUSE = re.compile(r"\s+(?:plus|and/or|and|or)\s+|,\s*", re.IGNORECASE)


def check_parameter(c: Fields, parameter: str | None) -> None:
    if parameter is not None and parameter not in PARAMETERS:
        raise c.error("parameter", f"{parameter!r} is not a known criterion parameter ({', '.join(sorted(PARAMETERS))}); "
                      "name what is measured (add a new one to loaders/criteria.py PARAMETERS)")


def clauses(definition: str) -> list[str]:
    """The clauses of a definition's words: split at plus / and / or / and/or and commas."""
    return [part.strip(" .").lower() for part in CLAUSE.split(definition) if part.strip(" .")]


def check_definition(f: Fields, quote_text: str, definition: str, parameters: list[str]) -> None:
    """The definition is the whole tail of its quote, and each clause is covered by a criterion."""
    tail = normalise(quote_text).rstrip(" .").lower()
    words = normalise(definition).rstrip(" .").lower()
    if not tail.endswith(words):
        raise f.error("definition", f"the definition {definition!r} must be the whole tail of its quote "
                      f"{quote_text!r} (after 'was defined as' / 'meant'); a dropped clause is an error")
    lowered = [p.lower() for p in parameters]
    for clause in clauses(words):
        if not any(p in clause or clause in p for p in lowered):
            raise f.error("criteria", f"the definition's clause {clause!r} has no criterion; add one naming its parameter")


def signature(criteria: list[tuple[str, str, str | None, str | None]]) -> str:
    """The criteria as 'parameter operator value unit', sorted: equal signatures define alike."""
    return "; ".join(sorted(" ".join(x for x in c if x) for c in criteria))
