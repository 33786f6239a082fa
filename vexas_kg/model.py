"""The model, declared once: every kind of thing the graph holds, its controlled vocabularies
and the types a query parameter may have.

Every table that lists kinds is derived from :data:`KINDS` (one row per kind): the
evidence loader's dispatch (YAML section -> loader function), the entity loader's
sections, the label index (``_labels.rq``) and the kinds a parameter accepts, the short
ids of a document's items, the items a provenance trail starts from, the nodes of the
networkx view, KGX categories, the build report and the CLI help. Adding a kind is one
row here plus its loader function, its class in ``vexas.ttl`` and its shape in
``shapes.ttl`` (docs/model.md, "How to add a kind"; a test follows that recipe).

Controlled vocabularies are not copied here: :func:`scheme` reads them from
``vexas.ttl`` (``skos:inScheme``) when first asked.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Callable, Iterator, Union

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from vexas_kg.errors import UsageError
from vexas_kg.ontology.vocab import VX, VXT

Triple = tuple[Node, Node, Node]
"""One fact of the graph (the build is a set of these)."""

# ------------------------------------------------------------------ kinds

LoaderRef = Union[str, Callable[..., None]]
"""A loader function, or its dotted name ``module:attribute.path`` (resolved when first used)."""

RECORD = "record"
"""Source of a kind written in the sections of a curated record (``evidence/records/*.yaml``)."""
ENTITIES = "entities"
"""Source of a kind written in the sections of ``evidence/entities.yaml``."""


@dataclass(frozen=True)
class Kind:
    """One kind of node: where it is written, how it is loaded and named, and where it shows.

    ``name`` is the kind's key (references between records use it: ``need("claim", ...)``);
    ``segment`` the IRI path segment (``doc/<doc>/<segment>/<slug>`` for what a document
    prints, ``<segment>/<slug>`` for an entity); ``cls`` its class in ``vexas.ttl`` (or,
    with ``scheme``, the SKOS concept scheme its members are in); ``noun`` how messages
    name it (the class's ``rdfs:label``).
    """

    name: str
    cls: URIRef
    noun: str
    segment: str | None = None
    source: str | None = None
    """RECORD, ENTITIES, or None when the kind is made by another kind's loader or a table."""
    section: str | None = None
    """The YAML section (a list) the kind is written in."""
    loader: LoaderRef | None = None
    """For a RECORD kind: ``loader(record_loader, fields)``, called once per entry of the section."""
    scheme: bool = False
    labelled: bool = False
    """A parameter may name it by label, alternative label or short id (the label index)."""
    traceable: bool = False
    """A document's item with a short id ``doc:slug`` and a provenance trail (``vexas-kg trace``)."""
    network: str | None = None
    """Its ``kind`` in the networkx view, or None if the view leaves it out."""
    kgx: str | None = None
    """Its Biolink category in the KGX export, or None if the export leaves it out."""
    report: bool = False
    """Listed on its own line in the build report."""

    def load(self) -> Callable[..., None]:
        """The loader function (a dotted name is imported on first use)."""
        if self.loader is None:
            raise LookupError(f"the kind {self.name!r} has no loader")
        return _resolve(self.loader)


@cache
def _resolve_name(ref: str) -> Callable[..., None]:
    module, _, path = ref.partition(":")
    target: object = importlib.import_module(module)
    for attribute in path.split("."):
        target = getattr(target, attribute)
    return target  # type: ignore[return-value]


def _resolve(ref: LoaderRef) -> Callable[..., None]:
    return _resolve_name(ref) if isinstance(ref, str) else ref


_EVIDENCE = "vexas_kg.loaders.evidence:RecordLoader."

_BUILTIN: tuple[Kind, ...] = (
    # What a curated record prints, loaded in this order (reference entries before the
    # claims whose citation markers resolve to them).
    Kind("document", VX.Document, "document", "doc", labelled=True, network="document",
         kgx="biolink:Publication", report=True),
    Kind("reference", VX.ReferenceEntry, "reference entry", "reference", RECORD, "references",
         _EVIDENCE + "reference", network="reference", report=True),
    Kind("study", VX.Study, "study", "study", RECORD, "studies", _EVIDENCE + "study", labelled=True,
         network="study", kgx="biolink:Study", report=True),
    Kind("algorithm", VX.Algorithm, "treatment algorithm", "algorithm", RECORD, "algorithms",
         _EVIDENCE + "algorithm"),
    Kind("figure", VX.Figure, "figure", "figure", RECORD, "figures", _EVIDENCE + "figure", labelled=True,
         traceable=True, network="figure", report=True),
    Kind("claim", VX.Claim, "claim", "claim", RECORD, "claims", _EVIDENCE + "claim", labelled=True,
         traceable=True, network="claim", report=True),
    Kind("safety-rule", VX.SafetyRule, "safety rule", "safety-rule", RECORD, "safety_rules",
         _EVIDENCE + "safety_rule", labelled=True, traceable=True, report=True),
    Kind("adverse-event", VX.AdverseEventReport, "adverse event report", "adverse-event", RECORD,
         "adverse_events", _EVIDENCE + "adverse_event", labelled=True, traceable=True, report=True),
    # Made by the loaders of the kinds above.
    Kind("quote", VX.Quote, "quote", "quote", report=True),
    Kind("citation-marker", VX.CitationMarker, "citation marker", "marker", report=True),
    Kind("arm", VX.StudyArm, "study arm", "arm"),
    Kind("response-definition", VX.ResponseDefinition, "response definition", "response-definition"),
    Kind("criterion", VX.Criterion, "criterion", "criterion"),
    Kind("decision-point", VX.DecisionPoint, "decision point", "decision-point"),
    Kind("decision-condition", VX.DecisionCondition, "decision condition", "condition"),
    Kind("subject-link", VX.SubjectLink, "subject link", "subject"),
    # The entity list (entities.yaml), in section order.
    Kind("drug-class", VX.DrugClass, "drug class", "drug-class", ENTITIES, "drug_classes", labelled=True,
         network="drug-class", kgx="biolink:ChemicalEntity"),
    Kind("drug", VX.Drug, "drug", "drug", ENTITIES, "drugs", labelled=True, network="drug", kgx="biolink:Drug"),
    Kind("procedure", VX.Procedure, "procedure", "procedure", ENTITIES, "procedures", labelled=True,
         network="procedure", kgx="biolink:Procedure"),
    Kind("disease", VX.Disease, "disease", "disease", ENTITIES, "diseases", labelled=True, kgx="biolink:Disease"),
    Kind("gene", VX.Gene, "gene", "gene", ENTITIES, "genes", labelled=True, kgx="biolink:Gene"),
    Kind("phenotype", VX.Phenotype, "clinical manifestation", "phenotype", ENTITIES, "phenotypes",
         labelled=True, kgx="biolink:PhenotypicFeature"),
    # The verified bibliographic table (reference/publications.tsv).
    Kind("publication", VX.Publication, "publication", "publication", labelled=True, network="publication",
         kgx="biolink:Publication"),
    # Controlled terms a parameter may name.
    Kind("measure", VXT.measures, "outcome measure", scheme=True, labelled=True),
    Kind("claim-kind", VXT["claim-kinds"], "claim kind", scheme=True, labelled=True),
)

_registry: list[Kind] = list(_BUILTIN)


def kinds() -> tuple[Kind, ...]:
    """Every kind, in registry order (which is also the order the record loader runs them in)."""
    return tuple(_registry)


def kind(name: str) -> Kind:
    for k in _registry:
        if k.name == name:
            return k
    raise LookupError(f"no kind {name!r}")


def register(new: Kind, *, before: str | None = None) -> Callable[[], None]:
    """Add a kind (after the others, or before the kind called ``before``); returns its removal.

    The built-in kinds are the rows above; ``register`` is for extensions and tests.
    """
    if any(k.name == new.name or k.cls == new.cls for k in _registry):
        raise ValueError(f"a kind named {new.name!r} or of class {new.cls} is already registered")
    at = len(_registry) if before is None else _registry.index(kind(before))
    _registry.insert(at, new)
    return lambda: _registry.remove(new)


def record_kinds() -> Iterator[Kind]:
    return (k for k in _registry if k.source == RECORD)


def entity_kinds() -> Iterator[Kind]:
    return (k for k in _registry if k.source == ENTITIES)


def traceable() -> tuple[Kind, ...]:
    return tuple(k for k in _registry if k.traceable)


def labelled() -> tuple[Kind, ...]:
    return tuple(k for k in _registry if k.labelled)


def noun_of(cls: str) -> str | None:
    """The display noun of a class (or labelled scheme), None for one the registry does not know."""
    return next((k.noun for k in _registry if str(k.cls) == str(cls)), None)


def nouns(selected: tuple[Kind, ...]) -> str:
    """``a, b or c``: the nouns of ``selected`` for a message."""
    words = [k.noun for k in selected]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def item_segments() -> frozenset[str]:
    """IRI segments of the traceable items (``doc/<doc>/<segment>/<slug>``)."""
    return frozenset(k.segment for k in _registry if k.traceable and k.segment)


def short_id(iri: str) -> str | None:
    """``doc:slug`` for a traceable item of a document (``vxid:doc/<doc>/<segment>/<slug>``), else None."""
    from vexas_kg.ontology.iris import doc_item

    parts = doc_item(iri)
    if parts is None or parts[1] not in item_segments():
        return None
    return f"{parts[0]}:{parts[2]}"


# ------------------------------------------------- kind lists bound into queries

CLASS_LISTS: dict[str, Callable[[], tuple[Kind, ...]]] = {
    "labelled": labelled,
    "traceable": traceable,
}
"""Named lists of kinds a query filters on with ``#+ kinds: VAR LIST`` (``FILTER (?VAR IN (classes))``)."""


def class_list(name: str) -> tuple[URIRef, ...]:
    """The classes (or schemes) of the kinds in list ``name``, in registry order."""
    if name not in CLASS_LISTS:
        raise LookupError(f"no kind list {name!r}; use one of {', '.join(CLASS_LISTS)}")
    return tuple(k.cls for k in CLASS_LISTS[name]())


# ------------------------------------------------------ controlled vocabularies

@cache
def _vocabulary() -> tuple[dict[str, frozenset[str]], dict[str, URIRef]]:
    """Members of every concept scheme (slugs) and the class each document kind maps to."""
    import pyoxigraph as ox

    from vexas_kg.ontology import read_text

    in_scheme, see_also = "http://www.w3.org/2004/02/skos/core#inScheme", "http://www.w3.org/2000/01/rdf-schema#seeAlso"
    namespace = str(VXT._NS)
    members: dict[str, set[str]] = {}
    classes: dict[str, URIRef] = {}
    for triple in ox.parse(read_text("vexas.ttl"), format=ox.RdfFormat.TURTLE):
        subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
        if not (isinstance(subject, ox.NamedNode) and subject.value.startswith(namespace)):
            continue
        slug = subject.value[len(namespace):]
        if predicate == in_scheme and obj.value.startswith(namespace):
            members.setdefault(obj.value[len(namespace):], set()).add(slug)
        elif predicate == see_also:
            classes[slug] = URIRef(obj.value)
    return {name: frozenset(slugs) for name, slugs in members.items()}, classes


def scheme(name: str) -> frozenset[str]:
    """The slugs of the concepts in scheme ``vxt:<name>`` (e.g. ``units``), as ``vexas.ttl`` lists them."""
    schemes = _vocabulary()[0]
    if name not in schemes:
        raise LookupError(f"vexas.ttl has no concept scheme vxt:{name}")
    return schemes[name]


def document_classes() -> dict[str, URIRef]:
    """Document kind (slug in ``vxt:document-kinds``) -> its subclass of vx:Document (``rdfs:seeAlso``)."""
    mapped = _vocabulary()[1]
    return {slug: mapped[slug] for slug in sorted(scheme("document-kinds"))}


# ------------------------------------------------------------ parameter types

@dataclass(frozen=True)
class ParameterType:
    """A type a query parameter may declare (``#+ param: NAME TYPE ...``).

    Either it names resources of the graph (``kinds``: resolved through the label index,
    ``any_resource`` for a resource of any kind) or it is a literal read by ``parse``,
    which raises ValueError with what a valid value looks like.
    """

    name: str
    kinds: tuple[str, ...] | Callable[[], tuple[Kind, ...]] = ()
    parse: Callable[[str], Literal] | None = None
    any_resource: bool = False
    noun_override: str | None = None
    word_match: bool = False
    """A value may name a resource by an unambiguous word match ("french registry", "UK cohort"): true
    for kinds with short labels, not for items (their labels are sentences) or documents."""
    schema: Callable[[], dict[str, Any]] = lambda: {"type": "string"}
    """The JSON Schema of a value, as the endpoint's OpenAPI description states it."""

    @property
    def resolved(self) -> bool:
        """Whether values name resources (labels, short ids, IRIs) rather than literals."""
        return bool(self.kinds) or self.any_resource

    def accepted(self) -> tuple[Kind, ...]:
        """The kinds a value may name (a callable is asked each time: kinds may be registered later)."""
        return self.kinds() if callable(self.kinds) else tuple(kind(name) for name in self.kinds)

    @property
    def noun(self) -> str:
        return self.noun_override or nouns(self.accepted())

    def classes(self) -> frozenset[str]:
        return frozenset(str(k.cls) for k in self.accepted())

    def literal(self, value: str, parameter: str) -> Literal:
        """The typed literal for ``value``, or a UsageError naming the parameter."""
        if self.parse is None:
            raise LookupError(f"parameter type {self.name} names resources, not literals")
        try:
            return self.parse(value)
        except ValueError as exc:
            raise UsageError(f"{parameter}={value!r} is not {exc}") from None


def parse_string(value: str) -> Literal:
    return Literal(value)


def parse_integer(value: str) -> Literal:
    if not re.fullmatch(r"[+-]?\d+", value.strip()):
        raise ValueError("an integer")
    return Literal(str(int(value)), datatype=XSD.integer)


def parse_positive_integer(value: str) -> Literal:
    """A whole number of at least 1 (a page size)."""
    if not re.fullmatch(r"\+?\d+", value.strip()) or int(value) < 1:
        raise ValueError("a positive whole number such as 100")
    return Literal(str(int(value)), datatype=XSD.integer)


PAGE_ALL = "all"
"""The ``limit`` that asks for the whole answer of a paged query."""


def parse_page_size(value: str) -> Literal:
    """A page of rows: a whole number of at least 1, or ``all`` (the whole answer, however large)."""
    if value.strip().lower() == PAGE_ALL:
        return Literal(PAGE_ALL)
    try:
        return parse_positive_integer(value)
    except ValueError:
        raise ValueError(f"a positive whole number such as 100, or {PAGE_ALL}") from None


def parse_non_negative_integer(value: str) -> Literal:
    """A whole number of at least 0 (the rows a page skips)."""
    if not re.fullmatch(r"\+?\d+", value.strip()):
        raise ValueError("a whole number of 0 or more such as 100")
    return Literal(str(int(value)), datatype=XSD.integer)


def parse_decimal(value: str) -> Literal:
    """A decimal number kept as written (``1.50`` stays ``1.50``); no exponent, as xsd:decimal."""
    text = value.strip()
    if not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", text):
        raise ValueError("a decimal number such as 1.5")
    try:
        Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError("a decimal number such as 1.5") from None
    return Literal(text, datatype=XSD.decimal)


_DURATION = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$")
_DURATION_WORDS = re.compile(r"^(?P<n>\d+)\s*(?P<unit>months?|m|weeks?|w|days?|d|years?|y)$", re.IGNORECASE)


def parse_duration(value: str) -> Literal:
    """An ISO 8601 duration (P6M) or words such as '6 months'."""
    text = value.strip()
    words = _DURATION_WORDS.match(text)
    if words:
        text = f"P{int(words.group('n'))}{words.group('unit')[0].upper()}"
    if not _DURATION.match(text) or text == "P":
        raise ValueError("a duration; write it as P6M (ISO 8601) or '6 months'")
    return Literal(text, datatype=XSD.duration)


_PARAMETER_TYPES: tuple[ParameterType, ...] = (
    ParameterType("drug", ("drug",), word_match=True),
    ParameterType("drug-or-class", ("drug", "drug-class"), word_match=True),
    ParameterType("intervention", ("drug", "drug-class", "procedure"), word_match=True),
    ParameterType("phenotype", ("phenotype",), word_match=True),
    ParameterType("manifestation", ("phenotype", "disease"), word_match=True,
                  noun_override="clinical manifestation or complication"),
    ParameterType("study", ("study",), word_match=True),
    ParameterType("measure", ("measure",), word_match=True),
    ParameterType("item", traceable),
    ParameterType("document", ("document",)),
    ParameterType("subject", ("drug", "drug-class", "procedure", "disease", "gene", "phenotype", "study"),
                  word_match=True),
    ParameterType("claim-kind", ("claim-kind",), word_match=True),
    ParameterType("duration", parse=parse_duration),
    ParameterType("string", parse=parse_string),
    ParameterType("integer", parse=parse_integer, schema=lambda: {"type": "integer"}),
    ParameterType("decimal", parse=parse_decimal),
    ParameterType("positive-integer", parse=parse_positive_integer,
                  schema=lambda: {"type": "integer", "minimum": 1}),
    ParameterType("non-negative-integer", parse=parse_non_negative_integer,
                  schema=lambda: {"type": "integer", "minimum": 0}),
    ParameterType("page-size", parse=parse_page_size,
                  schema=lambda: {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": [PAGE_ALL]}]}),
    ParameterType("term", any_resource=True, noun_override="resource"),
)


PAGING: dict[str, str] = {"limit": "page-size", "offset": "non-negative-integer"}
"""The paging parameters a pairwise query declares (name -> type). They are not bound into the
query: SPARQL's LIMIT and OFFSET take a number in the query text, which no binding (initBindings,
substitutions, VALUES) can supply, so the library applies them as a slice of the ordered answer."""


def parameter_types() -> dict[str, ParameterType]:
    """Every parameter type by name (``item`` accepts whatever kinds are traceable)."""
    return {t.name: t for t in _PARAMETER_TYPES}


def parameter_type(name: str) -> ParameterType:
    types = parameter_types()
    if name not in types:
        raise LookupError(f"unknown parameter type {name!r}; use one of {', '.join(types)}")
    return types[name]


__all__ = [
    "ENTITIES", "PAGE_ALL", "PAGING", "RECORD", "Kind", "ParameterType", "class_list", "document_classes", "entity_kinds",
    "item_segments", "kind", "kinds", "labelled", "noun_of", "nouns", "parameter_type", "parameter_types",
    "record_kinds", "register", "scheme", "short_id", "traceable",
]
