"""Run named queries: two in-process engines, label resolution and parameter binding.

The binding contract every named query keeps (and that the tests check on three
binding styles): parameters are bound *before* the outermost WHERE group is evaluated,
as SEP-0007 describes. rdflib does it with ``initBindings``; pyoxigraph and a remote
endpoint with a ``VALUES`` block placed first inside the outermost WHERE group and again
first in each UNION branch and OPTIONAL group that uses the parameter (pyoxigraph's own
``substitutions`` give the same answers, tested, but plan the query without the value).
A query therefore uses a parameter only in its outermost
group (triple patterns, FILTER and BIND expressions, EXISTS) or in a nested group whose
own triple patterns bind it; every parameter is projected (pyoxigraph substitutes only
projected variables); and an optional parameter that is not given stays unbound, which
the query tests with ``COALESCE(?row = ?name, true)`` (pyoxigraph folds ``BOUND()`` of a
substituted variable to false). A value is never written into the query text.

Numbers: pyoxigraph stores literals by value, so every XSD integer subtype comes back
as ``xsd:integer`` and ``"5.20"^^xsd:decimal`` as ``"5.2"``. Both engines report
integers as ``xsd:integer``; the pyoxigraph engine built from a graph gives back the
printed lexical form the graph holds for the other datatypes, so no printed number
changes on the way through a query.

A ``many`` parameter given several values is bound on every engine with a ``VALUES``
block, one row per value (``initBindings`` and ``substitutions`` take one value).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence, Union

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from vexas_kg import defaults, model
from vexas_kg.errors import QueryError, UsageError
from vexas_kg.graph.query.engine import Binding, Engine, Memo, ResultTable, term_limit
from vexas_kg.graph.query.paging import Call, call_of, evaluate, page, page_of
from vexas_kg.graph.query.readonly import check_query
from vexas_kg.graph.query.sparql_text import bind_lists, with_values
from vexas_kg.graph.store.oxigraph import INTEGER_TYPES, from_oxigraph, load_ntriples, load_store, to_oxigraph
from vexas_kg.ontology import iris
from vexas_kg.queries import NamedQuery, Parameter, catalog, parse_query, read_query_text

_XSD_STRING = str(XSD.string)


def portable(term: Identifier | None) -> Identifier | None:
    """The form of a result term that every engine agrees on (integers as ``xsd:integer``)."""
    if isinstance(term, Literal) and term.datatype in INTEGER_TYPES:
        try:
            return Literal(str(int(str(term))), datatype=XSD.integer)
        except ValueError:
            return term
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) == _XSD_STRING:
        return Literal(str(term))
    return term


# ------------------------------------------------------------------ engines

def refuse_network(query: str) -> None:
    """Both in-process engines would follow SERVICE (and rdflib FROM) to any URL: refuse, deciding on the parse."""
    check_query(query)


class RdflibEngine:
    """SPARQL on an in-memory rdflib graph; parameters bound with ``initBindings``."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(self, query: str, bindings: Mapping[str, Binding]) -> ResultTable:
        refuse_network(query)
        query, single = bind_lists(query, bindings)
        try:
            result = self.graph.query(query, initBindings=single)
        except Exception as exc:  # rdflib raises pyparsing and assorted errors for bad queries
            raise QueryError(f"the query failed on rdflib: {_first_line(exc)}") from None
        if result.type != "SELECT":
            raise QueryError(f"only SELECT queries can be run here, not {result.type}")
        columns = tuple(str(v) for v in result.vars or ())
        try:
            rows = tuple(tuple(portable(row[i]) for i in range(len(columns))) for row in result)
        except Exception as exc:
            raise QueryError(f"the query failed on rdflib: {_first_line(exc)}") from None
        return ResultTable(columns, rows)


class OxigraphEngine:
    """SPARQL on a pyoxigraph store; parameters bound with ``VALUES`` blocks placed where the remote
    engine places them (:func:`~vexas_kg.graph.query.sparql_text.with_values`), or with pyoxigraph's
    ``substitutions`` (``binding="substitutions"``, kept so that the tests hold the two to one answer).

    The blocks are the default because pyoxigraph (0.5) plans a query without knowing a substituted
    value, and so evaluates a UNION branch or nested group for every value before the substitution
    selects one: the trail of one figure took 0.37 s at 300 generated documents with substitutions,
    0.08 s with the blocks at the start of each branch that uses the item.

    ``printed`` maps the store's canonical form of a literal back to the lexical form
    the source graph printed (see the module docstring); ``from_graph`` fills it. Each
    result term is converted once (:attr:`term`, keyed by the exact Oxigraph term):
    a long-lived engine, such as an endpoint worker, does not rebuild the same rdflib
    terms for every answer.
    """

    def __init__(self, store: ox.Store, printed: Mapping[Literal, Literal] | None = None,
                 binding: str = "values") -> None:
        if binding not in ("values", "substitutions"):
            raise UsageError(f"unknown binding style {binding!r}; use values or substitutions")
        self.store = store
        self.printed = dict(printed or {})
        self.binding = binding
        self.term = Memo(self._back, term_limit(len(store)))
        """Oxigraph result term (or None) -> the rdflib term :meth:`select` reports."""

    @classmethod
    def from_graph(cls, graph: Graph) -> "OxigraphEngine":
        """Load an rdflib graph into a fresh in-memory store."""
        return cls(load_store(graph), printed_forms(graph))

    @classmethod
    def from_ntriples(cls, ntriples: str, printed: Mapping[Literal, Literal]) -> "OxigraphEngine":
        """The engine :meth:`from_graph` gives for the graph these N-Triples serialize, given its
        printed forms: for a process handed the serialized graph (an endpoint worker), no rdflib graph."""
        return cls(load_ntriples(ntriples), printed)

    def select(self, query: str, bindings: Mapping[str, Binding]) -> ResultTable:
        # Converted as the solutions come, in one pass: 15-20 % faster than listing them first, and
        # the store's terms of a large answer are never all alive at once.
        columns, result = self._evaluate(query, bindings)
        return ResultTable(columns, self._rows(result, len(columns), self.term.__getitem__))

    def solutions(self, query: str, bindings: Mapping[str, Binding],
                  convert: Callable[[object], object] | None = None) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
        """The columns and the rows as Oxigraph terms (None = unbound), or each value passed through
        ``convert`` as the solutions come; :attr:`term` turns the terms into rdflib terms."""
        columns, result = self._evaluate(query, bindings)
        return columns, self._rows(result, len(columns), convert)

    def _evaluate(self, query: str, bindings: Mapping[str, Binding]) -> tuple[tuple[str, ...], ox.QuerySolutions]:
        refuse_network(query)
        if self.binding == "values":
            query, single = with_values(query, bindings), {}
        else:
            query, single = bind_lists(query, bindings)
        substitutions = {ox.Variable(name): to_oxigraph(value) for name, value in single.items()}
        try:
            result = self.store.query(query, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError(f"the query does not parse: {exc}") from None
        except (RuntimeError, ValueError, OSError) as exc:
            raise QueryError(f"the query failed on pyoxigraph: {exc}") from None
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only SELECT queries can be run here")
        return tuple(v.value for v in result.variables), result

    @staticmethod
    def _rows(result: ox.QuerySolutions, width: int, convert: Callable[[object], object] | None) -> tuple[tuple, ...]:
        """Each solution as a tuple (None = unbound), its values passed through ``convert`` if given."""
        columns = range(width)
        try:
            if convert is None:
                return tuple(tuple([solution[i] for i in columns]) for solution in result)
            return tuple(tuple([convert(solution[i]) for i in columns]) for solution in result)
        except (RuntimeError, ValueError, OSError) as exc:
            raise QueryError(f"the query failed on pyoxigraph: {exc}") from None

    def _back(self, term: object) -> Identifier | None:
        value = portable(from_oxigraph(term))
        if isinstance(value, Literal):
            return self.printed.get(value, value)
        return value


def printed_forms(graph: Graph) -> dict[Literal, Literal]:
    """For each typed literal whose lexical form pyoxigraph would change (other than
    integers, which every engine reports canonically): canonical form -> printed form.
    A canonical form shared by two printed forms stays canonical (it cannot be told apart)."""
    literals = sorted({o for o in graph.objects() if isinstance(o, Literal) and o.datatype is not None
                       and o.datatype not in INTEGER_TYPES and str(o.datatype) != _XSD_STRING}, key=str)
    scratch = ox.Store()
    predicate = ox.NamedNode("urn:vexas-kg:printed")
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:vexas-kg:literal:{i}"), predicate, to_oxigraph(lit))
                   for i, lit in enumerate(literals))
    found: dict[Literal, set[Literal]] = {}
    for quad in scratch.quads_for_pattern(None, predicate, None):
        original = literals[int(quad.subject.value.rsplit(":", 1)[1])]
        canonical = from_oxigraph(quad.object)
        if canonical != original or str(canonical) != str(original):
            found.setdefault(canonical, set()).add(original)
    return {canonical: next(iter(forms)) for canonical, forms in found.items() if len(forms) == 1}


def engine_for(graph: Graph, name: str = "oxigraph") -> Engine:
    """The in-process engine called ``name`` (oxigraph or rdflib) over ``graph``."""
    if name == "oxigraph":
        return OxigraphEngine.from_graph(graph)
    if name == "rdflib":
        return RdflibEngine(graph)
    raise UsageError(f"unknown engine {name!r}; use oxigraph or rdflib")


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# ------------------------------------------------------------ label index

NO_DATA_HINT = ("; if the data is in a named graph (as `vexas-kg push` stores it), name it with --graph "
                + defaults.GRAPH_IRI)
_BAD_IRI = re.compile(r'[\s<>"{}|\\^`]')
_ABSOLUTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|urn:)", re.IGNORECASE)


def label_key(text: str) -> str:
    """How labels are compared: case-folded, accents and white space normalised."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def words(text: str) -> frozenset[str]:
    """The words of a label, for a word match ("french registry", "UK cohort")."""
    return frozenset(re.findall(r"\w+", label_key(text)))


@dataclass
class Entry:
    """A resolvable resource: its IRI, its kinds (classes or concept schemes) and display label."""

    iri: str
    kinds: set[str] = field(default_factory=set)
    label: str = ""
    names: set[str] = field(default_factory=set)
    """Every label and short id, as written."""


@dataclass
class LabelIndex:
    """Labels, alternative labels, slugs and short ids of the resources a parameter may name."""

    entries: dict[str, Entry] = field(default_factory=dict)
    keys: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_engine(cls, engine: Engine) -> "LabelIndex":
        query = parse_query(read_query_text("_labels.rq"), "_labels", strict=False)
        table = engine.select(query.text, {})
        index = cls()
        col = {name: i for i, name in enumerate(table.columns)}
        for row in table.rows:
            iri, kind, label, preferred = (row[col[c]] for c in ("entity", "kind", "label", "preferred"))
            entry = index.entries.setdefault(str(iri), Entry(str(iri)))
            entry.kinds.add(str(kind))
            if label is not None:
                if preferred is not None and str(preferred) == "true" and not entry.label:
                    entry.label = str(label)
                index._key(str(label), entry.iri)
                entry.names.add(str(label))
        for entry in index.entries.values():
            for key in _short_ids(entry.iri):
                index._key(key, entry.iri)
                entry.names.add(key)
            if not entry.label:
                entry.label = _short_ids(entry.iri)[0]
        return index

    @classmethod
    def from_graph(cls, graph: Graph) -> "LabelIndex":
        return cls.from_engine(RdflibEngine(graph))

    def _key(self, text: str, iri: str) -> None:
        self.keys.setdefault(label_key(text), set()).add(iri)

    def resolve(self, value: str, parameter: Parameter) -> URIRef:
        """The IRI ``value`` names, of a kind the parameter accepts, or a UsageError that says why not."""
        kind = model.parameter_type(parameter.type)
        noun, accepted = kind.noun, kind.classes()
        text = value.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        candidates = self.lookup(text)
        if candidates is None and kind.word_match:
            candidates = self.word_match(text, accepted)
        if not candidates:
            raise self.unknown(value, parameter.name, noun, accepted)
        fitting = sorted(iri for iri in candidates if self.entries[iri].kinds & accepted)
        if len(fitting) == 1:
            return URIRef(fitting[0])
        if len(fitting) > 1:
            listed = "; ".join(f"{self.entries[i].label} <{i}>" for i in fitting)
            raise UsageError(f"{parameter.name}={value!r} is ambiguous: it names {listed}; give the IRI or a short id")
        kinds = sorted({model.noun_of(k) or k for iri in candidates for k in self.entries[iri].kinds})
        raise UsageError(f"{parameter.name}={value!r} names a {' / '.join(kinds)}, but {parameter.name} expects a {noun}")

    def lookup(self, text: str) -> set[str] | None:
        """IRIs for a prefixed name (vxid:drug/x), an absolute IRI, or a label or short id."""
        prefixed = re.match(r"^[a-z]+:[A-Za-z0-9_./-]+$", text)
        expanded = iris.expand(text) if prefixed else None
        if expanded is not None:
            return {str(expanded)} if str(expanded) in self.entries else None
        if _ABSOLUTE.match(text):
            if _BAD_IRI.search(text):
                raise UsageError(f"{text!r} is not a valid IRI")
            return {text} if text in self.entries else None
        return self.keys.get(label_key(text))

    def word_match(self, text: str, accepted: frozenset[str]) -> set[str]:
        """Resources of the accepted kinds with a label or short id containing every word of ``text``."""
        wanted = words(text)
        if not wanted:
            return set()
        return {entry.iri for entry in self.entries.values() if entry.kinds & accepted
                and any(wanted <= words(name) for name in entry.names)}

    def unknown(self, value: str, name: str, noun: str, accepted: frozenset[str]) -> UsageError:
        """The error for a value that names nothing: close matches among the labels and short ids of
        the accepted kinds (long labels too: any that shares a word), or a hint that the store is empty."""
        if not self.entries:
            return UsageError(f"cannot resolve {name}={value!r}: the queried graph holds no vexas-kg data at "
                              f"all{NO_DATA_HINT}")
        fitting = [entry for entry in self.entries.values() if entry.kinds & accepted]
        names = sorted({n for entry in fitting for n in entry.names if "/" not in n},
                       key=label_key)
        by_normal = {label_key(n): n for n in names}
        close = [by_normal[c] for c in difflib.get_close_matches(label_key(value), list(by_normal), n=5, cutoff=0.6)]
        wanted = words(value)
        sharing = sorted({entry.label for entry in fitting if wanted & words(" ".join(entry.names))}, key=label_key)
        shown = list(dict.fromkeys(close + sharing))[:8]
        if shown:
            hint = f"; close matches: {'; '.join(shown)}"
        else:
            hint = f"; known values include: {'; '.join(names[:12])}" if names else ""
        return UsageError(f"unknown {noun} {value!r} for parameter {name}{hint}")


def _short_ids(iri: str) -> list[str]:
    """Names besides the labels: ``004:slug`` for a document's items, the path after ``id/``, the slug."""
    parts = iris.split(iri)
    if parts is None or parts[0] not in (iris.INSTANCE_PREFIX, iris.TERM_PREFIX):
        return [iri]
    path = parts[1]
    item = model.short_id(iri)
    ids = [item, path] if item else [path]
    slug = path.rsplit("/", 1)[-1]
    if not item and slug not in ids:
        ids.append(slug)
    if path.startswith("doc/") and path.count("/") == 1:
        ids.append(path.split("/")[1])
    return ids


# ------------------------------------------------------- parameter binding

Params = Mapping[str, Union[str, Sequence[str]]]
"""Parameter values by name: a string, or several strings for a ``many`` parameter."""


def plan(named_query: NamedQuery, params: Params, graph_or_label_index: Graph | LabelIndex | Engine) -> Call:
    """The evaluation ``params`` ask for: the bindings (:func:`prepare`) and the page, read once."""
    rows = page_of(named_query, params)
    return call_of(named_query, _bindings(named_query, params, graph_or_label_index), rows)


def prepare(named_query: NamedQuery, params: Params,
            graph_or_label_index: Graph | LabelIndex | Engine) -> dict[str, Binding]:
    """Check ``params`` against the query's declared parameters and turn each value into
    an RDF term: labels and short ids become IRIs, numbers and durations typed literals.
    Several values (a ``many`` parameter) become a tuple of terms, duplicates dropped.
    Unknown parameters, missing required ones, unknown labels, wrong kinds and several
    values for a one-value parameter raise UsageError, as do bad paging values (``limit`` and
    ``offset`` are checked here but never bound: :func:`plan` applies them)."""
    page_of(named_query, params)
    return _bindings(named_query, params, graph_or_label_index)


def _bindings(named_query: NamedQuery, params: Params,
              graph_or_label_index: Graph | LabelIndex | Engine) -> dict[str, Binding]:
    declared = {p.name: p for p in named_query.parameters}
    for name in params:
        if name not in declared and named_query.parameters:
            close = difflib.get_close_matches(name, list(declared), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; it takes {', '.join(declared)}"
            raise UsageError(f"{named_query.name} has no parameter {name!r}{hint}")
        if name not in declared:
            raise UsageError(f"{named_query.name} takes no parameters (got {name!r})")
    labels: LabelIndex | None = graph_or_label_index if isinstance(graph_or_label_index, LabelIndex) else None
    bindings: dict[str, Binding] = {}
    for parameter in named_query.parameters:
        if parameter.name in model.PAGING:
            continue
        given = params.get(parameter.name)
        values = [given] if isinstance(given, str) else list(given or [])
        if not values and parameter.default is not None:
            values = [parameter.default]
        if not values:
            if parameter.required:
                raise UsageError(f"{named_query.name} needs --param {parameter.name}=... ({parameter.description})")
            continue
        if len(values) > 1 and not parameter.many:
            raise UsageError(f"--param {parameter.name} is given {len(values)} times, but it takes one value")
        terms: list[Identifier] = []
        kind = model.parameter_type(parameter.type)
        for value in values:
            if kind.resolved:
                if labels is None:
                    labels = _index(graph_or_label_index)
                term = (_term(value, parameter, labels) if kind.any_resource
                        else labels.resolve(value, parameter))
            else:
                term = kind.literal(value, parameter.name)
            if term not in terms:
                terms.append(term)
        bindings[parameter.name] = terms[0] if len(terms) == 1 else tuple(terms)
    return bindings


def _index(source: Graph | LabelIndex | Engine) -> LabelIndex:
    if isinstance(source, LabelIndex):
        return source
    if isinstance(source, Graph):
        return LabelIndex.from_graph(source)
    return LabelIndex.from_engine(source)


def _term(value: str, parameter: Parameter, labels: LabelIndex) -> URIRef:
    """A parameter of no declared kind (``term``): any resource the label index knows."""
    text = value.strip()
    candidates = labels.lookup(text[1:-1] if text.startswith("<") and text.endswith(">") else text)
    if not candidates:
        raise labels.unknown(value, parameter.name, "resource", frozenset(map(str, model.class_list("labelled"))))
    if len(candidates) > 1:
        listed = "; ".join(f"{labels.entries[i].label} <{i}>" for i in sorted(candidates))
        raise UsageError(f"{parameter.name}={value!r} is ambiguous: it names {listed}")
    return URIRef(next(iter(candidates)))


def user_query(path: Path, params: Params | None = None) -> NamedQuery:
    """A user's query file, header optional. If it declares no parameters, every given
    parameter is a ``term``: an IRI, short id or label of a resource the graph knows."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the query file {path}: {exc}") from None
    query = parse_query(text, path.stem, strict=False)
    if query.parameters:
        return query
    undeclared = tuple(Parameter(key, "term", None, True, "a resource of the graph", many=True)
                       for key in sorted(params or {}))
    return NamedQuery(query.name, query.title, query.description, query.question, undeclared, query.text)


def named(name: str) -> NamedQuery:
    """The catalog's query called ``name``, or a UsageError listing close names."""
    queries = catalog()
    if name not in queries:
        close = difflib.get_close_matches(name, list(queries), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; the named queries are {', '.join(queries)}"
        raise UsageError(f"no named query {name!r}{hint}")
    return queries[name]


def run_query(query: NamedQuery, params: Params, engine: Engine,
              labels: LabelIndex | None = None) -> ResultTable:
    """Bind ``params`` and run ``query`` (a named query or a user's parsed query file)."""
    call = plan(query, params, labels if labels is not None else engine)
    if call.blocks is None and call.narrow is None:
        return page(engine.select(call.text, call.bindings), call.rows)

    def select(text: str, bindings: Mapping[str, Binding]) -> tuple[tuple[str, ...], tuple]:
        table = engine.select(text, bindings)
        return table.columns, table.rows

    columns, rows = evaluate(call, select)
    return ResultTable(columns, tuple(rows))


def run_named(name: str, params: Params, engine: Engine, labels: LabelIndex | None = None) -> ResultTable:
    """Run the named query ``name`` with ``params`` (labels allowed where IRIs are expected)."""
    return run_query(named(name), params, engine, labels)


def parse_params(pairs: Iterable[str]) -> dict[str, Union[str, tuple[str, ...]]]:
    """``KEY=VALUE`` strings (from ``--param``) as a dict; a repeated key collects its values
    in a tuple, in the order given (``prepare`` accepts that only for a ``many`` parameter)."""
    collected: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param {pair!r} is not KEY=VALUE")
        collected.setdefault(key, []).append(value)
    return {key: values[0] if len(values) == 1 else tuple(values) for key, values in collected.items()}
