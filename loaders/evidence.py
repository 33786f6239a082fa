"""Curated evidence record (one per source document) -> triples.

``load_record`` is a pure function: given the parsed record and the source text it
checks every quote against the text (recording offsets), every number against its
quote, and every citation marker against the text that follows its statement; it
returns the triples together with what the record *provides* (ids others may refer
to) and what it *needs* (ids it refers to). The build resolves needs against all
provides, so a reference to an unknown drug, study or item fails with its location.
"""

from __future__ import annotations

import re
import difflib
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Mapping, Union

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from vexas_kg import model

from vexas_kg.errors import Location, QuoteError, RecordError
from vexas_kg.loaders.criteria import OPERATORS, check_definition, check_parameter, signature
from vexas_kg.loaders.fields import (
    DATE,
    DURATION,
    YEAR,
    YEAR_MONTH,
    Fields,
    QuoteRef,
)
from vexas_kg.loaders.judgements import claim_context, decision_point, subject_links
from vexas_kg.loaders.source_text import Ambiguous, NotFound, SourceText, Span, normalise, numbers_in
from vexas_kg.loaders.yaml_strict import Value
from vexas_kg.ontology.iris import (
    doc_iri,
    item_iri,
    publication_iri,
    quote_iri,
    study_iri,
    study_part_iri,
    term,
)
from vexas_kg.ontology.vocab import OA, VX

Placeholder = tuple[str, str]
"""A reference to another record's item, ``("item", "doc:slug")``, resolved by the build."""
RecordTriple = tuple[Union[Node, Placeholder], URIRef, Union[Node, Placeholder]]

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
MARKERS = re.compile(r"[ \t]*(\d+(?:, ?\d+)*)")


@dataclass(frozen=True)
class Entity:
    """A drug, class, procedure, disease, gene or phenotype known to the graph."""

    iri: URIRef
    kind: str
    label: str = ""


@dataclass(frozen=True)
class Need:
    """A reference to something another record or table defines: ``kind`` is publication,
    study, arm, definition, algorithm or item; ``key`` the id; ``location`` where it was written."""

    kind: str
    key: str
    location: Location


@dataclass
class Loaded:
    """What one record yields."""

    doc_id: str
    triples: list[RecordTriple] = field(default_factory=list)
    provides: dict[tuple[str, str], tuple[URIRef, Location]] = field(default_factory=dict)
    needs: list[Need] = field(default_factory=list)
    covered: list[Span] = field(default_factory=list)
    furniture: list[tuple[Span, str]] = field(default_factory=list)


def intervention_kinds() -> set[str]:
    """Entity kinds a treatment may be: those the ``intervention`` parameter type accepts."""
    return {k.name for k in model.parameter_type("intervention").accepted()}


def entity_kind_names() -> set[str]:
    return {k.name for k in model.entity_kinds()}


def composition(included: list[str], excluded: list[str]) -> str:
    """An arm's composition in words: what it includes and, where the source says "other", excludes."""
    text = "includes " + ", ".join(included)
    return text + ("; excludes " + ", ".join(excluded) if excluded else "")


class RecordLoader:
    """One record's conversion; holds the source text and the output being assembled.

    Each kind written in a record section has a loader function ``(loader, fields)``
    named by its row in :mod:`vexas_kg.model`; the methods below are those of the
    built-in kinds, and the helpers (quotes, numbers, entities, output) serve them all.
    """

    def __init__(self, source: SourceText, out: Loaded, entities: Mapping[str, Entity]) -> None:
        self.source = source
        self.out = out
        self.entities = entities
        self.doc = doc_iri(out.doc_id)
        self.arm_basis: dict[str, str | None] = {}

    def entity(self, f: Fields, key: str, slug: str, kinds: set[str]) -> URIRef:
        """Resolve an entity slug now: unknown or wrong-kind entities fail with close matches."""
        found = self.entities.get(slug)
        if found is None:
            close = difflib.get_close_matches(slug, list(self.entities), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise RecordError(f"unknown entity {slug!r}{hint}", f.where(key))
        if found.kind not in kinds:
            raise RecordError(f"{slug!r} is a {found.kind}; expected a {' or '.join(sorted(kinds))}", f.where(key))
        return found.iri

    # -- output helpers -------------------------------------------------
    def add(self, s: URIRef, p: URIRef, o: object) -> None:
        self.out.triples.append((s, p, o))

    def lit(self, s: URIRef, p: URIRef, value: object, datatype: URIRef | None = None) -> None:
        if value is not None:
            self.add(s, p, Literal(value, datatype=datatype) if datatype else Literal(value))

    def provide(self, kind: str, key: str, iri: URIRef, location: Location) -> None:
        if (kind, key) in self.out.provides:
            first = self.out.provides[(kind, key)][1]
            raise RecordError(f"duplicate {kind} id {key!r} (first at line {first.line})", location)
        self.out.provides[(kind, key)] = (iri, location)

    def need(self, kind: str, key: str, location: Location) -> None:
        self.out.needs.append(Need(kind, key, location))

    # -- quotes -----------------------------------------------------------
    def locate(self, quote: QuoteRef) -> Span:
        try:
            span = self.source.locate(quote.text, quote.occurrence)
        except NotFound as exc:
            raise QuoteError(
                f"quote not found in {self.source.name}: {quote.text!r}; closest passage: {exc.closest!r}",
                quote.location,
            ) from None
        except Ambiguous as exc:
            raise QuoteError(
                f"quote occurs {exc.count} times in {self.source.name}; add 'occurrence: N' (1 to {exc.count})"
                if quote.occurrence is None
                else f"occurrence {quote.occurrence} requested but the quote occurs {exc.count} times",
                quote.location,
            ) from None
        return span

    def quote_node(self, span: Span) -> URIRef:
        node = quote_iri(self.out.doc_id, span.start, span.end)
        text_sel = URIRef(f"{node}/text-selector")
        pos_sel = URIRef(f"{node}/position-selector")
        self.add(node, RDF.type, VX.Quote)
        self.add(node, RDF.type, OA.SpecificResource)
        self.add(node, OA.hasSource, self.doc)
        self.add(node, OA.hasSelector, text_sel)
        self.add(node, OA.hasSelector, pos_sel)
        self.add(text_sel, RDF.type, OA.TextQuoteSelector)
        self.add(text_sel, OA.exact, Literal(self.source.text[span.start : span.end]))
        self.add(pos_sel, RDF.type, OA.TextPositionSelector)
        self.add(pos_sel, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger))
        self.add(pos_sel, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger))
        self.out.covered.append(span)
        return node

    def quoted(self, subject: URIRef, f: Fields, key: str = "quote", required: bool = True,
               predicate: URIRef = VX.hasQuote) -> tuple[str, list[Span]]:
        """Locate the item's quotes, link them, and return their joined normalised text."""
        spans = [self.locate(q) for q in f.quotes(key, required)]
        for span in spans:
            self.add(subject, predicate, self.quote_node(span))
        text = " ".join(normalise(self.source.text[s.start : s.end]) for s in spans)
        return text, spans

    def check_numbers(self, f: Fields, quote_text: str, keys: list[str], values: dict[str, str | int | None]) -> None:
        """Every number of the record must be printed in its quote (as digits or as a word)."""
        printed = numbers_in(quote_text)
        for key in keys:
            value = values.get(key)
            if value is None:
                continue
            if str(value) not in printed:
                raise RecordError(f"the number {value} is not in the quote {quote_text!r}", f.where(key))

    def check_verbatim(self, f: Fields, quote_text: str, key: str, value: str | None) -> None:
        """A field marked verbatim must appear in the item's quote (case-insensitive)."""
        if value is not None and normalise(value).lower() not in quote_text.lower():
            raise RecordError(f"{value!r} is not printed in the quote {quote_text!r}", f.where(key))

    def check_date(self, f: Fields, quote_text: str, key: str, value: str | None) -> None:
        if value is None:
            return
        parts = value.split("-")
        words = set(re.findall(r"[A-Za-z]+", quote_text))
        ok = parts[0] in numbers_in(quote_text)
        if len(parts) >= 2:
            ok = ok and MONTHS[int(parts[1]) - 1] in words if 1 <= int(parts[1]) <= 12 else False
        if len(parts) == 3:
            ok = ok and str(int(parts[2])) in numbers_in(quote_text)
        if not ok:
            raise RecordError(f"the date {value} is not what the quote {quote_text!r} prints", f.where(key))

    def term_of(self, f: Fields, key: str, scheme: str, required: bool = True) -> URIRef | None:
        """The controlled term ``key`` names, one of scheme ``vxt:<scheme>`` of vexas.ttl."""
        value = f.choice(key, set(model.scheme(scheme)), required)
        return term(value) if value else None

    # -- sections ---------------------------------------------------------
    def document(self, f: Fields) -> None:
        classes = model.document_classes()
        kind = f.choice("kind", set(classes)) or ""
        f.text("id")
        source = f.text("source") or ""
        if source != self.source.name:
            raise RecordError(f"source {source!r} does not match the source text {self.source.name!r}", f.where("source"))
        self.add(self.doc, RDF.type, VX.Document)
        self.add(self.doc, RDF.type, classes[kind])
        self.lit(self.doc, VX.sourceFile, source)
        self.lit(self.doc, VX.sha256, self.source.sha256)
        title_text, _ = self.quoted(self.doc, f, "title", predicate=VX.titleQuote)
        self.lit(self.doc, DCTERMS.title, title_text)
        date = f.pattern("date", DATE, "a date (YYYY-MM-DD)")
        date_text, _ = self.quoted(self.doc, f, "date_quote")
        self.check_date(f, date_text, "date", date)
        self.lit(self.doc, DCTERMS.date, date, XSD.date)
        publisher = f.text("publisher")
        pub_text, _ = self.quoted(self.doc, f, "publisher_quote")
        self.check_verbatim(f, pub_text, "publisher", publisher)
        self.lit(self.doc, DCTERMS.publisher, publisher)
        provided = f.text("provided_by", required=False)
        if provided is not None:
            prov_text, _ = self.quoted(self.doc, f, "provided_by_quote")
            self.check_verbatim(f, prov_text, "provided_by", provided)
            self.lit(self.doc, VX.providedBy, provided)
        if f.has("question"):
            if kind != "qa-article":
                raise f.error("question", "only a Q&A article records a question")
            question, _ = self.quoted(self.doc, f, "question", predicate=VX.questionQuote)
            self.lit(self.doc, RDFS.comment, f"Question: {question}")
        elif kind == "qa-article":
            raise f.error("question", "a Q&A article must record the question it answers")
        status = f.text("editorial_status", required=False)
        if status is not None:
            status_text, _ = self.quoted(self.doc, f, "editorial_status_quote", predicate=VX.editorialStatusQuote)
            self.check_verbatim(f, status_text, "editorial_status", status)
            self.lit(self.doc, VX.editorialStatus, status)
        self.lit(self.doc, RDFS.label, title_text)
        f.done()

    def furniture(self, f: Fields) -> None:
        reason = f.text("reason")
        for quote in f.quotes():
            self.out.furniture.append((self.locate(quote), reason or ""))
        f.done()

    def reference(self, f: Fields) -> None:
        expected_number = 1 + sum(1 for kind, _ in self.out.provides if kind == "reference")
        number = f.integer("number")
        if number != expected_number:
            raise f.error("number", f"reference numbers must run 1, 2, 3 ... in list order; expected {expected_number}")
        node = item_iri(self.out.doc_id, "reference", str(number))
        self.provide("reference", str(number), node, f.where("number"))
        self.add(node, RDF.type, VX.ReferenceEntry)
        self.add(node, VX.inDocument, self.doc)
        self.lit(node, VX.referenceNumber, number, XSD.positiveInteger)
        text, _ = self.quoted(node, f)
        for key, prop in (("label", VX.printedLabel), ("title", DCTERMS.title), ("container", VX.container)):
            value = f.text(key)
            self.check_verbatim(f, text, key, value)
            self.lit(node, prop, value)
        year = f.pattern("year", YEAR, "a year (YYYY)")
        self.check_numbers(f, text, ["year"], {"year": year})
        self.lit(node, VX.year, year, XSD.gYear)
        self.lit(node, RDFS.label, f"{self.out.doc_id} reference {number}: {f.text('title')}")
        publication = f.slug("publication", required=False)
        if publication:
            self.need("publication", publication, f.where("publication"))
            self.add(node, VX.describesPublication, publication_iri(publication))
        for slug in f.slugs("about"):
            self.add(node, VX.about, self.entity(f, "about", slug, entity_kind_names()))
        f.done()

    def study(self, f: Fields) -> None:
        slug = f.slug("id") or ""
        node = study_iri(slug)
        self.provide("study", slug, node, f.where("id"))
        self.add(node, RDF.type, VX.Study)
        self.lit(node, RDFS.label, f.text("label"))
        for alias in f.texts("alt_labels"):
            self.lit(node, SKOS.altLabel, alias)
        self.add(node, VX.studyDesign, self.term_of(f, "design", "study-designs"))
        text, _ = self.quoted(node, f)
        for key, prop in (("country", VX.country), ("setting", VX.setting), ("sex_mix", VX.sexMix)):
            value = f.text(key, required=False)
            if key == "setting":
                self.check_verbatim(f, text, key, value)
            self.lit(node, prop, value)
        for key, prop in (("period_start", VX.periodStart), ("period_end", VX.periodEnd)):
            value = f.pattern(key, YEAR_MONTH, "a year and month (YYYY-MM)", required=False)
            self.check_date(f, text, key, value)
            self.lit(node, prop, value, XSD.gYearMonth)
        size = f.integer("population_size", required=False)
        self.check_numbers(f, text, ["population_size"], {"population_size": size})
        self.lit(node, VX.populationSize, size, XSD.nonNegativeInteger)
        for key in f.slugs("publications"):
            self.need("publication", key, f.where("publications"))
            self.add(node, VX.reportedIn, publication_iri(key))
        self.lit(node, RDFS.comment, f.text("note", required=False))
        for arm in f.items("arms"):
            self.arm(slug, arm)
        for definition in f.items("response_definitions"):
            self.response_definition(slug, definition)
        f.done()

    def study_part(self, study: str, f: Fields, segment: str, kind: str, cls: URIRef, link: URIRef) -> URIRef:
        """An arm or response definition: minted under its study, typed, and linked both ways."""
        slug = f.slug("id")
        node = study_part_iri(study, segment, slug or "")
        self.provide(kind, f"{study}/{slug}", node, f.where("id"))
        self.add(node, RDF.type, cls)
        self.add(study_iri(study), link, node)
        self.add(node, VX.study, study_iri(study))
        return node

    def arm(self, study: str, f: Fields) -> None:
        node = self.study_part(study, f, "arm", "arm", VX.StudyArm, VX.hasArm)
        slug = f.slug("id")
        self.lit(node, RDFS.label, f.text("label"))
        interventions = f.slugs("interventions")
        if not interventions:
            raise f.error("interventions", "an arm needs at least one drug, drug class or procedure")
        for slug_i in interventions:
            self.add(node, VX.intervention, self.entity(f, "interventions", slug_i, intervention_kinds()))
        excluded = f.slugs("excludes")
        for slug_x in excluded:
            if slug_x in interventions:
                raise f.error("excludes", f"{slug_x!r} is both included and excluded")
            self.add(node, VX.excludes, self.entity(f, "excludes", slug_x, intervention_kinds()))
        self.lit(node, VX.composition, composition(
            [self.entities[i].label for i in interventions], [self.entities[x].label for x in excluded]))
        self.arm_basis[f"{study}/{slug}"] = f.choice("population_basis", set(model.scheme("population-bases")), required=False)
        self.lit(node, RDFS.comment, f.text("note", required=False))
        patients = f.integer("patients", required=False)
        if patients is not None:
            text, _ = self.quoted(node, f)
            self.check_numbers(f, text, ["patients"], {"patients": patients})
            self.lit(node, VX.patientCount, patients, XSD.nonNegativeInteger)
        elif f.has("quote"):
            self.quoted(node, f)
        f.done()

    def criteria(self, owner: URIRef, f: Fields, text: str) -> list[tuple[str, str, str | None, str | None]]:
        """Read the criteria; return them as (parameter, operator, value, unit slug)."""
        found: list[tuple[str, str, str | None, str | None]] = []
        for index, c in enumerate(f.items("criteria"), start=1):
            node = URIRef(f"{owner}/criterion/{index}")
            self.add(owner, VX.hasCriterion, node)
            self.add(node, RDF.type, VX.Criterion)
            parameter = c.text("parameter")
            self.check_verbatim(c, text, "parameter", parameter)
            check_parameter(c, parameter)
            self.lit(node, VX.parameter, parameter)
            operator = c.choice("operator", OPERATORS)
            self.lit(node, VX.operator, operator)
            value = c.decimal("value", required=operator not in ("met",))
            self.check_numbers(c, text, ["value"], {"value": value})
            self.lit(node, VX.thresholdValue, value, XSD.decimal)
            unit = self.term_of(c, "unit", "units", required=False)
            if unit is not None:
                self.add(node, VX.unit, unit)
            found.append((parameter or "", operator or "", value, str(unit).rsplit("/", 1)[1] if unit else None))
            self.lit(node, RDFS.label, " ".join(str(x) for x in (parameter, operator, value) if x is not None))
            c.done()
        return found

    def response_definition(self, study: str, f: Fields) -> None:
        node = self.study_part(study, f, "response-definition", "definition", VX.ResponseDefinition,
                               VX.hasResponseDefinition)
        self.add(node, VX.responseLevel, self.term_of(f, "level", "measures"))
        text, _ = self.quoted(node, f)
        self.lit(node, RDFS.label, f.text("label"))
        criteria = self.criteria(node, f, text)
        definition = f.text("definition")
        if definition is None:
            raise f.error("definition", "a response definition needs its definition text")
        check_definition(f, text, definition, [c[0] for c in criteria])
        self.lit(node, VX.definitionText, definition)
        self.lit(node, VX.criteriaSignature, signature(criteria))
        self.lit(node, RDFS.comment, f.text("note", required=False))
        f.done()

    def claim(self, f: Fields) -> None:
        slug = f.slug("id") or ""
        node = item_iri(self.out.doc_id, "claim", slug)
        self.provide("item", f"{self.out.doc_id}:{slug}", node, f.where("id"))
        self.provide("claim", f"{self.out.doc_id}:{slug}", node, f.where("id"))
        self.add(node, RDF.type, VX.Claim)
        self.add(node, VX.inDocument, self.doc)
        kind = f.choice("kind", set(model.scheme("claim-kinds")))
        self.add(node, VX.claimKind, term(kind or ""))
        self.add(node, VX.direction, self.term_of(f, "direction", "directions"))
        text, spans = self.quoted(node, f)
        self.lit(node, RDFS.label, text)
        self.lit(node, VX.section, f.text("section", required=False))
        subjects = f.slugs("subjects")
        for slug_s in subjects:
            self.add(node, VX.subject, self.entity(f, "subjects", slug_s, entity_kind_names()))
        subject_links(self, node, f, subjects)
        condition = f.text("condition", required=False)
        self.check_verbatim(f, text, "condition", condition)
        self.lit(node, VX.condition, condition)
        failed = f.slugs("condition_interventions")
        for slug_c in failed:
            self.add(node, VX.conditionIntervention, self.entity(f, "condition_interventions", slug_c, intervention_kinds()))
        claim_context(self, node, f, kind, f.choice("direction", set(model.scheme("directions"))), failed)
        algorithm = f.slug("algorithm", required=False)
        step = f.integer("step", required=False)
        if (algorithm is None) != (step is None) or (algorithm and kind != "algorithm-step"):
            raise f.error("algorithm", "an algorithm step needs kind algorithm-step, algorithm and step together")
        if algorithm:
            self.need("algorithm", f"{self.out.doc_id}:{algorithm}", f.where("algorithm"))
            self.add(node, VX.partOfAlgorithm, item_iri(self.out.doc_id, "algorithm", algorithm))
            self.check_numbers(f, text, ["step"], {"step": step})
            self.lit(node, VX.stepOrder, step, XSD.positiveInteger)
        label = f.text("step_label", required=False)
        self.check_verbatim(f, text, "step_label", label)
        self.lit(node, VX.stepLabel, label)
        for key, prop in (("supports", VX.supports), ("disputes", VX.disputes), ("restates", VX.restates)):
            for doc, target, loc in f.refs(key):
                doc = doc or self.out.doc_id
                self.need("item", f"{doc}:{target}", loc)
                self.add(node, prop, ("item", f"{doc}:{target}"))
        for doc, source, loc in f.refs("supported_by"):
            doc = doc or self.out.doc_id
            self.need("item", f"{doc}:{source}", loc)
            self.out.triples.append((("item", f"{doc}:{source}"), VX.supports, node))
        self.lit(node, RDFS.comment, f.text("note", required=False))
        cites = f.integers("cites")
        if f.has("cites"):
            self.markers(node, slug, f, spans[-1], cites)
        f.done()

    def markers(self, claim: URIRef, slug: str, f: Fields, span: Span, cites: list[int]) -> None:
        """Read the citation numbers printed right after the statement and check them."""
        match = MARKERS.match(self.source.text, span.end)
        printed = [int(n) for n in re.split(r", ?", match.group(1))] if match else []
        if printed != cites:
            shown = ", ".join(map(str, printed)) if printed else "no citation numbers"
            raise RecordError(
                f"cites {cites} but the text after the quote prints {shown}", f.where("cites")
            )
        if not cites or match is None:
            return
        self.quote_node(Span(match.start(1), match.end(1)))
        for position, number in enumerate(cites, start=1):
            marker = URIRef(f"{claim}/marker/{position}")
            self.add(claim, VX.hasCitationMarker, marker)
            self.add(marker, RDF.type, VX.CitationMarker)
            self.add(marker, VX.inDocument, self.doc)
            self.lit(marker, VX.citedNumber, number, XSD.positiveInteger)
            self.lit(marker, VX.markerPosition, position, XSD.positiveInteger)
            self.lit(marker, RDFS.label, f"[{number}]")
            self.add(marker, VX.hasQuote, quote_iri(self.out.doc_id, match.start(1), match.end(1)))
            if ("reference", str(number)) in self.out.provides:
                self.add(marker, VX.resolvesTo, item_iri(self.out.doc_id, "reference", str(number)))

    def algorithm(self, f: Fields) -> None:
        slug = f.slug("id")
        node = item_iri(self.out.doc_id, "algorithm", slug or "")
        self.provide("algorithm", f"{self.out.doc_id}:{slug}", node, f.where("id"))
        self.add(node, RDF.type, VX.Algorithm)
        self.add(node, VX.inDocument, self.doc)
        text, _ = self.quoted(node, f)
        label = f.text("label")
        self.check_verbatim(f, text, "label", label)
        self.lit(node, RDFS.label, label)
        condition = f.text("condition", required=False)
        self.check_verbatim(f, text, "condition", condition)
        self.lit(node, VX.condition, condition)
        failed = f.slugs("condition_interventions")
        for slug_c in failed:
            self.add(node, VX.conditionIntervention, self.entity(f, "condition_interventions", slug_c, intervention_kinds()))
        decision_point(self, node, f, failed, required=False)
        f.done()

    def statement(self, node: URIRef, f: Fields) -> None:
        slug = f.slug("statement", required=False)
        if slug:
            self.need("claim", f"{self.out.doc_id}:{slug}", f.where("statement"))
            self.add(node, VX.statedIn, item_iri(self.out.doc_id, "claim", slug))

    def figure(self, f: Fields) -> None:
        slug = f.slug("id") or ""
        node = item_iri(self.out.doc_id, "figure", slug)
        self.provide("item", f"{self.out.doc_id}:{slug}", node, f.where("id"))
        self.provide("figure", f"{self.out.doc_id}:{slug}", node, f.where("id"))
        self.add(node, RDF.type, VX.Figure)
        self.add(node, VX.inDocument, self.doc)
        text, _ = self.quoted(node, f)
        study = f.slug("study") or ""
        self.need("study", study, f.where("study"))
        self.add(node, VX.study, study_iri(study))
        arms = {}
        for key, prop in (("arm", VX.arm), ("comparator_arm", VX.comparatorArm)):
            arm = arms[key] = f.slug(key, required=False)
            if arm:
                self.need("arm", f"{study}/{arm}", f.where(key))
                self.add(node, prop, study_part_iri(study, "arm", arm))
        self.add(node, VX.measure, self.term_of(f, "measure", "measures"))
        self.add(node, VX.statistic, self.term_of(f, "statistic", "statistics"))
        unit = f.choice("unit", set(model.scheme("units")))
        self.add(node, VX.unit, term(unit or ""))
        timepoint = f.pattern("timepoint", DURATION, "a duration such as P3M or P6M (days, 1-11 months, or years: P12M is P1Y)", required=False)
        timepoint_label = f.text("timepoint_label", required=False)
        self.check_verbatim(f, text, "timepoint_label", timepoint_label)
        timepoint_text = f.text("timepoint_text", required=False)
        self.check_verbatim(f, text, "timepoint_text", timepoint_text)
        if timepoint_text and not (timepoint or timepoint_label):
            raise f.error("timepoint_text", "timepoint_text prints the figure's timepoint; give timepoint or timepoint_label too")
        values: dict[str, str | int | None] = {
            "value": f.decimal("value"),
            "numerator": f.integer("numerator", required=False),
            "denominator": f.integer("denominator", required=False),
            "ci_lower": f.decimal("ci_lower", required=False),
            "ci_upper": f.decimal("ci_upper", required=False),
            "ci_level": f.decimal("ci_level", required=False),
            "iqr_lower": f.decimal("iqr_lower", required=False),
            "iqr_upper": f.decimal("iqr_upper", required=False),
            "p_value": f.decimal("p_value", required=False),
            "timepoint": timepoint[1:-1] if timepoint else None,
        }
        self.check_numbers(f, text, list(values), values)
        self.check_ranges(f, values, unit)
        self.lit(node, VX.timepoint, timepoint, XSD.duration)
        self.lit(node, VX.timepointLabel, timepoint_label)
        self.lit(node, VX.timepointText, timepoint_text)
        props = {"value": VX.value, "ci_lower": VX.ciLower, "ci_upper": VX.ciUpper, "ci_level": VX.ciLevel,
                 "iqr_lower": VX.iqrLower, "iqr_upper": VX.iqrUpper, "p_value": VX.pValue}
        for key, prop in props.items():
            self.lit(node, prop, values[key], XSD.decimal)
        self.lit(node, VX.numerator, values["numerator"], XSD.nonNegativeInteger)
        self.lit(node, VX.denominator, values["denominator"], XSD.nonNegativeInteger)
        for key, prop in (("comparator_label", VX.comparatorLabel), ("population_note", VX.populationNote)):
            value = f.text(key, required=False)
            self.check_verbatim(f, text, key, value)
            self.lit(node, prop, value)
        basis = f.choice("population_basis", set(model.scheme("population-bases")), required=False)
        basis = basis or self.arm_basis.get(f"{study}/{arms['arm']}")
        if basis:
            self.add(node, VX.populationBasis, term(basis))
        for definition in f.slugs("response_definitions"):
            self.need("definition", f"{study}/{definition}", f.where("response_definitions"))
            self.add(node, VX.responseDefinition, study_part_iri(study, "response-definition", definition))
        self.lit(node, RDFS.label, f.text("label"))
        self.lit(node, RDFS.comment, f.text("note", required=False))
        self.statement(node, f)
        f.done()

    def check_ranges(self, f: Fields, values: dict[str, str | int | None], unit: str | None) -> None:
        """The same range rules as the shapes, reported at the record's line."""
        num = {k: Decimal(str(v)) for k, v in values.items() if v is not None and k != "timepoint"}
        if "numerator" in num and "denominator" in num and num["numerator"] > num["denominator"]:
            raise f.error("numerator", f"numerator {values['numerator']} exceeds denominator {values['denominator']} (n > N)")
        if unit == "percent" and not Decimal(0) <= num["value"] <= Decimal(100):
            raise f.error("value", f"a percentage must lie between 0 and 100, not {values['value']}")
        for low, high in (("ci_lower", "value"), ("value", "ci_upper"), ("iqr_lower", "value"), ("value", "iqr_upper")):
            if low in num and high in num and num[low] > num[high]:
                raise f.error(low, f"{low} {values[low]} exceeds {high} {values[high]}")
        if "p_value" in num and not Decimal(0) <= num["p_value"] <= Decimal(1):
            raise f.error("p_value", f"a p-value lies between 0 and 1, not {values['p_value']}")

    def safety_rule(self, f: Fields) -> None:
        slug = f.slug("id")
        node = item_iri(self.out.doc_id, "safety-rule", slug or "")
        self.provide("item", f"{self.out.doc_id}:{slug}", node, f.where("id"))
        self.add(node, RDF.type, VX.SafetyRule)
        self.add(node, VX.inDocument, self.doc)
        self.add(node, VX.ruleKind, self.term_of(f, "kind", "rule-kinds"))
        text, _ = self.quoted(node, f)
        self.lit(node, RDFS.label, f.text("label"))
        applies = f.slugs("applies_to")
        if not applies:
            raise f.error("applies_to", "a safety rule applies to at least one drug or class")
        for slug_a in applies:
            self.add(node, VX.appliesTo, self.entity(f, "applies_to", slug_a, intervention_kinds()))
        for key, prop in (("test", VX.test), ("timing", VX.timing), ("dose_unit", VX.doseUnit),
                          ("dose_frequency", VX.doseFrequency), ("route", VX.route)):
            value = f.text(key, required=False)
            self.check_verbatim(f, text, key, value)
            self.lit(node, prop, value)
        doses = {key: f.decimal(key, required=False) for key in ("dose_value", "dose_min", "dose_max")}
        self.check_numbers(f, text, list(doses), doses)
        for key, prop in (("dose_value", VX.doseValue), ("dose_min", VX.doseMin), ("dose_max", VX.doseMax)):
            self.lit(node, prop, doses[key], XSD.decimal)
        self.criteria(node, f, text)
        self.statement(node, f)
        f.done()

    def adverse_event(self, f: Fields) -> None:
        slug = f.slug("id")
        node = item_iri(self.out.doc_id, "adverse-event", slug or "")
        self.provide("item", f"{self.out.doc_id}:{slug}", node, f.where("id"))
        self.add(node, RDF.type, VX.AdverseEventReport)
        self.add(node, VX.inDocument, self.doc)
        text, _ = self.quoted(node, f)
        for slug_a in f.slugs("applies_to"):
            self.add(node, VX.appliesTo, self.entity(f, "applies_to", slug_a, intervention_kinds()))
        label = f.text("event_label")
        self.check_verbatim(f, text, "event_label", label)
        self.lit(node, VX.eventLabel, label)
        self.lit(node, RDFS.label, label)
        event = f.slug("event", required=False)
        if event:
            self.add(node, VX.event, self.entity(f, "event", event, {"phenotype"}))
        risk = f.text("risk_statement", required=False)
        self.check_verbatim(f, text, "risk_statement", risk)
        self.lit(node, VX.riskStatement, risk)
        exposure = f.text("exposure", required=False)
        self.check_verbatim(f, text, "exposure", exposure)
        self.lit(node, VX.exposure, exposure)
        for slug_c in f.slugs("compared_to"):
            self.add(node, VX.comparedTo, self.entity(f, "compared_to", slug_c, intervention_kinds()))
        frequency = f.slug("frequency", required=False)
        if frequency:
            self.need("figure", f"{self.out.doc_id}:{frequency}", f.where("frequency"))
            self.add(node, VX.frequency, item_iri(self.out.doc_id, "figure", frequency))
        self.lit(node, RDFS.comment, f.text("note", required=False))
        self.statement(node, f)
        f.done()


def load_record(record: Value, file: str, source: SourceText, entities: Mapping[str, Entity]) -> Loaded:
    """Check one parsed record against its source text and turn it into triples.

    Entities are resolved here (``entities``); references to other documents' items
    come out as ``("item", "doc:slug")`` placeholders that the build resolves once
    every record is known.
    """
    top = Fields(record, file, "")
    document = top.sub("document")
    if document is None:  # pragma: no cover - sub() raises for a missing required section
        raise top.error("document", "missing required field 'document'")
    doc_id = document.text("id") or ""
    if not re.match(r"^[a-z0-9]+$", doc_id):
        raise document.error("id", f"{doc_id!r} is not a document id (lower-case letters and digits)")
    out = Loaded(doc_id)
    loader = RecordLoader(source, out, entities)
    loader.document(document)
    for f in top.items("furniture"):
        loader.furniture(f)
    for kind in model.record_kinds():
        load = kind.load()
        for f in top.items(kind.section or ""):
            load(loader, f)
    top.done()
    return out
