"""The pages of the report: view models built from the gathered query answers, rendered with Jinja2.

``render_site`` returns every file of the site as bytes keyed by its relative path, so
writing is one separate, atomic step (``write.py``) and two runs can be compared byte
for byte. Links between pages are relative, and nothing is loaded from elsewhere.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Iterable, Mapping

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from rdflib import URIRef
from rdflib.term import Identifier

from vexas_kg.graph.report.data import Cells, Entity, Evidence, Row
from vexas_kg.graph.report.numbers import decimal, in_words, percent, printed, wilson
from vexas_kg.graph.report.plot import Point, layout, percent_scale, ratio_scale
from vexas_kg.graph.report.sources import Sources, SourceView
from vexas_kg.loaders.criteria import OPERATOR_WORDS
from vexas_kg.ontology.vocab import VXID

ID = str(VXID)
RESPONSE_UNITS = {"%"}


# ------------------------------------------------------------------ helpers

def text(term: Identifier | None) -> str:
    """A cell as display text: white space folded, None as empty."""
    return "" if term is None else " ".join(str(term).split())


def path_of(iri: str) -> str | None:
    """The path of a vexas-kg IRI after ``id/`` (``drug/tofacitinib``), else None."""
    return iri[len(ID):] if iri.startswith(ID) else None


def slug(iri: str) -> str:
    path = path_of(iri) or re.sub(r"[^A-Za-z0-9]+", "-", iri)
    if path.startswith("doc/"):
        path = path[len("doc/"):]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.replace("/", "-")).strip("-")


def short_id(iri: str) -> str:
    """``000:slug`` for a document's item, else the path after ``id/``."""
    path = path_of(iri) or iri
    match = re.match(r"^doc/([a-z0-9]+)/[a-z-]+/([^/]+)$", path)
    if match:
        return f"{match.group(1)}:{match.group(2)}"
    return path[len("doc/"):] if re.match(r"^doc/[a-z0-9]+$", path) else path


@dataclass
class Pages:
    """Which resources have a page, and where (relative to the site root)."""

    paths: dict[str, str] = field(default_factory=dict)

    def add(self, iri: str, path: str) -> None:
        self.paths[iri] = path

    def get(self, iri: str | Identifier | None) -> str | None:
        return None if iri is None else self.paths.get(str(iri))


@dataclass
class Context:
    """What every page needs: the evidence, the page index, source texts, identifier links."""

    evidence: Evidence
    pages: Pages
    sources: Sources
    labels: dict[str, str]
    quotes: dict[str, list[str]]
    """Per item: its verbatim quotes (numbers are shown as printed there)."""
    identifiers: Mapping[str, Mapping[str, str]]
    """Per publication IRI: {"doi": ..., "pmid": ...} for identifiers listed in the reference folder."""
    build: Mapping[str, object]
    pairs: Mapping[str, list[dict[str, object]]] = field(default_factory=dict)
    """Per figure: its comparisons (query ``comparisons``), when the catalog has that query."""

    def study_by_label(self, label: str) -> str | None:
        """The IRI of the study with this label (comparative-efficacy names studies by label)."""
        return next((s.iri for s in self.evidence.studies if s.label == label), None)

    def spread(self, item: Identifier | str | None) -> list[dict[str, str]]:
        """The spread printed beside a figure (IQR, range), from its trail's ``spread`` rows, numbers as printed."""
        rows = self.evidence.trails.get(str(item), []) if item is not None else []
        return [{"label": text(r.get("label")), "low": self.number(item, r.get("low")),
                 "high": self.number(item, r.get("high"))}
                for r in rows if text(r.get("relation")) == "spread" and r.get("low") is not None]

    def number(self, item: Identifier | str | None, value: Identifier | None) -> str:
        """``value`` as its item's quote prints it."""
        return printed(text(value), self.quotes.get(str(item), []) if item is not None else [])


_STARTING = re.compile(r"^(?P<level>[\w -]+?) \(starting level by design; (?P<domains>.+): not assessed\)$")


def certainty(value: object) -> str:
    """A study's certainty as it stands: not assessed, with GRADE's starting level by design as context.

    The graph gives GRADE's starting level for a design (``startingCertainty``, e.g. "low (starting
    level by design; ...: not assessed)"). No source rates certainty, so a page never shows the level
    as the rating: it says "certainty not assessed" first and names the level as the design's
    starting point, before the judgements nobody has made.
    """
    shown = text(value) if not isinstance(value, str) else " ".join(value.split())
    if not shown:
        return ""
    match = _STARTING.match(shown)
    if match is None:
        return f"certainty not assessed ({shown})"
    return (f"certainty not assessed: no source rates it. GRADE's starting level by design for this study type "
            f"is {match.group('level')}, before any judgement; {match.group('domains')}: not assessed")


def at_time(value: object) -> str:
    """A timepoint after "at" when it is a duration (``at 6 months``), as printed otherwise ("during follow-up")."""
    words = in_words(text(value) if not isinstance(value, str) else value)
    return f"at {words}" if words[:1].isdigit() else words


# ------------------------------------------------------------------ view models

def figure_interval(row: Row, ctx: Context) -> dict[str, object]:
    """The interval shown for a figure: reported, computed (Wilson from printed n/N), or none."""
    figure = row.get("figure")
    lower, upper = row.get("ciLower"), row.get("ciUpper")
    if lower is not None and upper is not None:
        level = text(row.get("ciLevel"))
        return {"kind": "reported", "low": ctx.number(figure, lower), "high": ctx.number(figure, upper),
                "level": f"{level} %" if level else "level not stated"}
    n, total = counts(row)
    if n is not None and total:
        low, high = wilson(n, total)
        return {"kind": "computed", "low": percent(low), "high": percent(high), "level": "95 %"}
    return {"kind": "none"}


def counts(row: Row) -> tuple[int | None, int | None]:
    """Printed n and N of a figure: its numerator and denominator, or a count with a denominator."""
    total = decimal(row.get("denominator"))
    numerator = decimal(row.get("numerator"))
    if numerator is None and text(row.get("statistic")) == "count":
        numerator = decimal(row.get("value"))
    if total is None or numerator is None or total != total.to_integral() or numerator != numerator.to_integral():
        return None, None
    return int(numerator), int(total)


def group_figures(rows: Iterable[Row]) -> list[dict[str, object]]:
    """comparative-efficacy rows folded to one entry per figure (an arm may name several interventions)."""
    figures: "OrderedDict[str, dict[str, object]]" = OrderedDict()
    for row in rows:
        key = str(row["figure"])
        entry = figures.setdefault(key, {"row": row, "interventions": [], "scopes": []})
        for name, column in (("interventions", "armIntervention"), ("scopes", "scope")):
            value = text(row.get(column))
            if value and value not in entry[name]:
                entry[name].append(value)
    return list(figures.values())


def sof_groups(rows: Iterable[Row], ctx: Context) -> list[dict[str, object]]:
    """Summary-of-findings groups: one per outcome and timepoint, each with its table rows and plot."""
    groups: "OrderedDict[tuple[str, str], list[dict[str, object]]]" = OrderedDict()
    for entry in group_figures(rows):
        row = entry["row"]
        groups.setdefault((text(row.get("outcomeLabel")), text(row.get("measuredAt"))), []).append(entry)
    result = []
    for (outcome, measured), entries in groups.items():
        table = [sof_row(entry, ctx) for entry in entries]
        result.append({"outcome": outcome, "when": in_words(measured), "anchor": slug(f"{outcome}-{measured}"),
                       "rows": table, "plot": forest(outcome, in_words(measured), table)})
    return result


def study_of(row: Row, ctx: Context) -> tuple[str, str | None]:
    """A row's study as (label, IRI): queries name it by ``studyLabel`` and ``study`` (IRI), or by label only."""
    study = row.get("study")
    if isinstance(study, URIRef):
        return text(row.get("studyLabel")) or ctx.labels.get(str(study), str(study)), str(study)
    label = text(row.get("studyLabel")) or text(study)
    return label, ctx.study_by_label(label)


def pair_verdicts(rows: Iterable[Row]) -> dict[str, list[dict[str, object]]]:
    """Per figure: the comparisons it is part of, each with the other figure and the verdict."""
    found: dict[str, list[dict[str, object]]] = {}
    seen: set[tuple[str, str]] = set()
    for row in rows:
        a, b = text(row.get("figureA")), text(row.get("figureB"))
        if not a or not b:
            continue
        for mine, other, arm, value, when in ((a, b, "armB", "valueB", "whenB"), (b, a, "armA", "valueA", "whenA")):
            if (mine, other) in seen:
                continue
            seen.add((mine, other))
            found.setdefault(mine, []).append({"other": other, "arm": text(row.get(arm)), "value": row.get(value),
                                               "when": in_words(text(row.get(when))), "row": row,
                                               "verdict": text(row.get("verdict"))})
    return found


def sof_row(entry: Mapping[str, object], ctx: Context) -> dict[str, object]:
    row: Row = entry["row"]  # type: ignore[assignment]
    figure = str(row["figure"])
    n, total = counts(row)
    study, study_iri = study_of(row, ctx)
    return {
        "figure": figure, "href": ctx.pages.get(figure), "study": study, "study_href": ctx.pages.get(study_iri),
        "design": text(row.get("design")), "level_of_evidence": text(row.get("evidenceLevel")),
        "certainty": certainty(row.get("startingCertainty")), "basis": text(row.get("basis")),
        "pairs": [pair | {"href": ctx.pages.get(str(pair["other"]))} for pair in ctx.pairs.get(figure, [])],
        "arm": text(row.get("arm")), "interventions": entry["interventions"],
        "composition": text(row.get("composition")), "level": text(row.get("level")),
        "scopes": entry["scopes"], "statistic": text(row.get("statistic")),
        "value": ctx.number(figure, row.get("value")), "unit": text(row.get("unit")),
        "n": n, "N": ctx.number(figure, row.get("denominator")) if row.get("denominator") is not None else "",
        "interval": figure_interval(row, ctx), "p": ctx.number(figure, row.get("pValue")),
        "comparator": text(row.get("comparator")), "population": text(row.get("population")),
        "definition": text(row.get("definition")), "comparability": text(row.get("comparability")),
        "study_size": text(row.get("studySize")), "read_from": read_from(row.get("document"), ctx),
    }


def read_from(document: object, ctx: Context) -> str:
    """Where a figure was read: the source document (publisher, date), never the study report itself.
    Every figure here is second-hand (a news report of an abstract, a Q&A page citing a review)."""
    facts = next((d for d in ctx.build["documents"] if d["iri"] == text(document)), None)  # type: ignore[index, union-attr]
    if facts is None:
        return ""
    when = f", {facts['date']}" if facts["date"] else ""
    return f"read from source {facts['id']} ({facts['publisher']}{when}), not from the study report"


def forest(outcome: str, when: str, table: list[dict[str, object]]) -> dict[str, object] | None:
    """A forest plot of a group's proportions (0-100 %) or ratios (log scale), else None."""
    points = []
    for row in table:
        value = decimal(row["value"])
        unit = str(row["unit"])
        interval = row["interval"]
        level = "class" if row["level"] == "drug class" else "drug"
        low = decimal(interval.get("low")) if interval["kind"] != "none" else None
        high = decimal(interval.get("high")) if interval["kind"] != "none" else None
        if unit not in RESPONSE_UNITS | {"ratio"}:
            if row["n"] is None or not row["N"]:
                continue
            value, unit = decimal(percent(row["n"] / int(str(row["N"])))), "%"
        if value is None:
            continue
        note = {"reported": f"CI {interval.get('low')}–{interval.get('high')} reported",
                "computed": f"CI {interval.get('low')}–{interval.get('high')} % computed",
                "none": "no interval reported"}[str(interval["kind"])]
        shown = f"{row['n']}/{row['N']}" if row["n"] is not None else f"{row['value']} {row['unit']}".strip()
        points.append((unit, Point(
            label=", ".join(row["interventions"]) or str(row["arm"]), sublabel=str(row["study"]), level=level,
            value=float(value), low=float(low) if low is not None else None,
            high=float(high) if high is not None else None, interval=str(interval["kind"]),
            note=f"{shown}; {note}", href=str(row["href"] or ""), ident=short_id(str(row["figure"])))))
    units = {unit for unit, _ in points}
    if not points or len(units) != 1:
        return None
    plotted = [p for _, p in points]
    scale = percent_scale() if units == {"%"} else ratio_scale(plotted)
    title = f"{outcome}, {when}" if when and when != "not stated" else f"{outcome}, timepoint not stated"
    described = "; ".join(f"{p.label} ({p.sublabel}, {'class-level' if p.level == 'class' else 'drug-level'}): "
                          f"{p.note}" for p in plotted)
    return {**layout(plotted, scale), "title": title, "description": described,
            "axis": "response rate (%)" if scale.kind == "linear" else f"{outcome} (ratio, log scale)"}


@dataclass
class TrailView:
    """One item's trail: its head row, its quotes in their paragraphs, and the tree of the rest."""

    item: Entity
    head: Row
    quotes: list[SourceView]
    tree: list[dict[str, object]]
    warnings: list[Row]
    value: str
    figure: dict[str, object] | None = None
    """The figure's statistics, as comparative-efficacy gives them (n/N, interval, p, comparator ...)."""
    safety: Row | None = None
    """A safety rule's or adverse event's row of safety-profile (test, timing, threshold, dose ...)."""


def trail_view(item: Entity, ctx: Context) -> TrailView:
    rows = ctx.evidence.trails[item.iri]
    head = next((r for r in rows if r.get("parent") is None), {})
    children: dict[str, list[Row]] = {}
    for row in rows:
        if row.get("parent") is not None:
            children.setdefault(str(row["parent"]), []).append(row)
    markers = [r for r in rows if text(r.get("relation")) == "citation marker"]
    quotes = []
    for row in rows:
        if text(row.get("relation")) != "quote":
            continue
        document = next((r for r in children.get(str(row["node"]), []) if text(r.get("relation")) == "document"), {})
        quotes.append(ctx.sources.view(row, document, markers))

    def walk(node: str, path: frozenset[str]) -> list[dict[str, object]]:
        out = []
        for child in children.get(node, []):
            relation = text(child.get("relation"))
            if relation == "quote":
                continue
            if child.get("node") is None:
                out.append({"row": child, "relation": relation, "node": "", "children": []})
                continue
            child_node = str(child["node"])
            out.append({"row": child, "relation": relation, "node": child_node,
                        "children": walk(child_node, path | {child_node}) if child_node not in path else []})
        return out

    statements = {str(s["node"]) for s in rows if text(s.get("relation")) == "statement"}
    warnings: list[Row] = []
    seen: set[tuple[str, ...]] = set()
    for r in ctx.evidence.tables.get("citation-audit", []):
        if item.iri in (text(r.get("claim")), text(r.get("concerning"))) or text(r.get("claim")) in statements:
            key = tuple(text(r.get(c)) for c in ("kind", "claim", "marker", "detail"))
            if key not in seen:
                seen.add(key)
                warnings.append(r)
    tree = walk(item.iri, frozenset({item.iri}))
    figure = next((entry for entry in group_figures(r for r in ctx.evidence.tables.get("comparative-efficacy", [])
                                                    if text(r.get("figure")) == item.iri)), None)
    safety = next((r for per in ctx.evidence.by_intervention.values() for r in per.get("safety-profile", [])
                   if text(r.get("item")) == item.iri), None)
    return TrailView(item, head, quotes, tree, warnings, ctx.number(item.iri, head.get("value")),
                     sof_row(figure, ctx) if figure else None, safety)


# ------------------------------------------------------------------ environment

def environment() -> Environment:
    env = Environment(loader=PackageLoader("vexas_kg.graph.report", "templates"),
                      autoescape=select_autoescape(["html", "svg", "xml"], default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["t"] = text
    env.filters["words"] = in_words
    env.filters["at"] = at_time
    env.filters["short"] = short_id
    env.filters["operator"] = lambda token: OPERATOR_WORDS.get(str(token), str(token))
    env.filters["column"] = lambda name: re.sub(r"(?<!^)(?=[A-Z])", " ", str(name)).lower()
    return env


def assets() -> dict[str, bytes]:
    """The static files every page uses (stylesheet, icon), by their path in the site."""
    folder = files("vexas_kg.graph.report").joinpath("static")
    return {f"assets/{name}": folder.joinpath(name).read_bytes() for name in ("favicon.svg", "report.css")}


# ------------------------------------------------------------------ identifiers

_DOI = re.compile(r"\bdoi:\s*(?P<id>10\.\d{4,9}/[^\s;,()]+)", re.IGNORECASE)
_PMID = re.compile(r"\bpmid:\s*(?P<id>\d+)", re.IGNORECASE)


def reference_identifiers(folder: object) -> dict[str, set[str]]:
    """The DOIs and PMIDs listed in the reference folder's publications table: the only ones linked."""
    table = folder.joinpath("publications.tsv").read_text(encoding="utf-8").splitlines()  # type: ignore[attr-defined]
    header = table[0].split("\t")
    found: dict[str, set[str]] = {"doi": set(), "pmid": set()}
    for line in table[1:]:
        cells = dict(zip(header, line.split("\t")))
        for scheme in found:
            if cells.get(scheme, "").strip():
                found[scheme].add(cells[scheme].strip().lower())
    return found


def identifier_links(rows: Iterable[Row], known: Mapping[str, set[str]]) -> dict[str, dict[str, str]]:
    """Per publication IRI: the DOI and PMID its study-summary row prints, where the reference folder lists them."""
    links: dict[str, dict[str, str]] = {}
    for row in rows:
        if text(row.get("section")) != "publication" or row.get("item") is None:
            continue
        printed_text = " ".join(text(row.get(c)) for c in ("text", "unit", "value"))
        for scheme, pattern in (("doi", _DOI), ("pmid", _PMID)):
            for match in pattern.finditer(printed_text):
                if match.group("id").lower() in known.get(scheme, set()):
                    links.setdefault(str(row["item"]), {})[scheme] = match.group("id")
    return links


# ------------------------------------------------------------------ the site

NAV = (("index.html", "Overview"), ("comparative.html", "Comparative efficacy"),
       ("interventions.html", "Drugs & procedures"), ("studies.html", "Studies"),
       ("items.html", "All figures & claims"), ("citation-audit.html", "Citation audit"),
       ("contrasts.html", "Contrasts"))


def page_index(evidence: Evidence) -> Pages:
    pages = Pages()
    for entity in evidence.interventions:
        pages.add(entity.iri, f"interventions/{slug(entity.iri)}.html")
    for entity in evidence.studies:
        pages.add(entity.iri, f"studies/{slug(entity.iri)}.html")
    for entity in evidence.items:
        pages.add(entity.iri, f"trails/{slug(entity.iri)}.html")
    return pages


def build_facts(evidence: Evidence) -> dict[str, object]:
    """The build a page came from: graph hash, and each source document with the date it states."""
    documents: dict[str, dict[str, str]] = {}
    for rows in evidence.trails.values():
        for row in rows:
            if text(row.get("relation")) == "document":
                from vexas_kg.graph.report.sources import document_facts

                file, date = document_facts(text(row.get("detail")))
                documents.setdefault(str(row["node"]), {"id": short_id(str(row["node"])).removeprefix("doc/"),
                                                        "file": file, "date": date, "iri": str(row["node"]),
                                                        "publisher": text(row.get("detail")).split(", ")[0],
                                                        "label": text(row.get("label"))})
    return {"hash": evidence.graph_hash, "short": evidence.graph_hash[:16],
            "documents": [documents[k] for k in sorted(documents)], "queries": evidence.queries}


def render_site(evidence: Evidence, sources: Sources, reference: object) -> dict[str, bytes]:
    """Every file of the site, by relative path."""
    env = environment()
    pages = page_index(evidence)
    labels = {e.iri: e.label for e in [*evidence.interventions, *evidence.studies, *evidence.documents,
                                         *evidence.items]}
    quotes = {iri: [text(r.get("label")) for r in rows if text(r.get("relation")) in ("quote", "statement")]
              for iri, rows in evidence.trails.items()}
    known = reference_identifiers(reference)
    identifiers = identifier_links((r for rows in evidence.by_study.values() for r in rows), known)
    ctx = Context(evidence, pages, sources, labels, quotes, identifiers, build_facts(evidence),
                  pair_verdicts(evidence.tables.get("comparisons", [])))
    out: dict[str, bytes] = assets()

    statuses = document_statuses(evidence)
    item_at = {path: iri for iri, path in pages.paths.items() if path.startswith("trails/")}

    def page(path: str, template: str, title: str, **values: object) -> None:
        depth = path.count("/")

        def render(shown: list[dict[str, str]]) -> str:
            return env.get_template(template).render(
                root="../" * depth, title=title, path=path, nav=NAV, build=ctx.build, ctx=ctx,
                link=_linker(ctx, depth), statuses=shown, **values)

        html = render([])
        quoted = {item_at[p] for p in _TRAIL_LINK.findall(html) if p in item_at}
        if path in item_at:
            quoted.add(item_at[path])
        shown = [statuses[d] for d in sorted({d for i in quoted for d in documents_of(evidence, i)}) if d in statuses]
        out[path] = (render(shown) if shown else html).encode("utf-8")

    page("index.html", "overview.html", "Overview", **overview_view(ctx))
    page("comparative.html", "comparative.html", "Comparative efficacy",
         groups=sof_groups(evidence.tables.get("comparative-efficacy", []), ctx),
         designs=designs(evidence.tables.get("comparative-efficacy", [])),
         comparisons=evidence.tables.get("comparisons"))
    page("interventions.html", "interventions.html", "Drugs, classes & procedures", **overview_view(ctx),
         undiscussed={e.iri for e in evidence.interventions if not discussed(own_items(e, ctx))})
    page("studies.html", "studies.html", "Studies", studies=[study_view(s, ctx) for s in evidence.studies])
    page("items.html", "items.html", "All figures & claims", items=items_view(ctx))
    page("citation-audit.html", "audit.html", "Citation audit", rows=evidence.tables.get("citation-audit", []))
    page("contrasts.html", "contrasts.html", "Contrasts", rows=evidence.tables.get("contrasts", []),
         source="contrasts")
    for entity in evidence.interventions:
        page(pages.paths[entity.iri], "intervention.html", entity.label, **intervention_view(entity, ctx))
    for entity in evidence.studies:
        page(pages.paths[entity.iri], "study.html", entity.label, study=study_view(entity, ctx))
    for entity in evidence.items:
        page(pages.paths[entity.iri], "trail.html", f"Trail of {short_id(entity.iri)}", trail=trail_view(entity, ctx))
    return out


_TRAIL_LINK = re.compile(r'href="(?:\.\./)*(trails/[^"#]+)')


def documents_of(evidence: Evidence, item: str) -> set[str]:
    """The documents an item's quotes come from (its trail's ``document`` steps)."""
    return {str(r["node"]) for r in evidence.trails.get(item, []) if text(r.get("relation")) == "document"}


def document_statuses(evidence: Evidence) -> dict[str, dict[str, str]]:
    """Per document with an editorial status as printed (e.g. "content is pending human review"):
    its short id, title and status. Shown on every page that quotes the document, because a
    guideline author reads a page, not the trail behind each line."""
    found: dict[str, dict[str, str]] = {}
    for rows in evidence.trails.values():
        titles = {str(r["node"]): text(r.get("label")) for r in rows if text(r.get("relation")) == "document"}
        for row in rows:
            if text(row.get("relation")) == "editorial status" and row.get("parent") is not None:
                document = str(row["parent"])
                entry = found.setdefault(document, {"id": short_id(document).removeprefix("doc/"),
                                                    "title": titles.get(document, ""), "status": ""})
                status = text(row.get("label"))
                if status and status not in entry["status"].split("; "):
                    entry["status"] = "; ".join(x for x in (entry["status"], status) if x)
    return found


def _linker(ctx: Context, depth: int):
    """``link(iri)``: the relative URL of the resource's page, or None when it has none."""
    prefix = "../" * depth

    def link(iri: object) -> str | None:
        found = ctx.pages.get(None if iri is None else str(iri))
        return prefix + found if found else None

    return link


def designs(rows: Iterable[Row]) -> list[str]:
    """The study designs that comparative-efficacy rows name, each with its number of studies
    ("cohort study (1 study)"): the report says what the graph holds, never what the world lacks."""
    studies: "OrderedDict[str, set[str]]" = OrderedDict()
    for row in rows:
        design = text(row.get("design"))
        if design:
            studies.setdefault(design, set()).add(text(row.get("study")) or text(row.get("studyLabel")))
    return [f"{design} ({len(found)} stud{'y' if len(found) == 1 else 'ies'})" for design, found in sorted(studies.items())]


def overview_view(ctx: Context) -> dict[str, object]:
    evidence = ctx.evidence
    overview = evidence.tables.get("evidence-overview", [])
    dimensions: "OrderedDict[str, list[Row]]" = OrderedDict()
    for row in overview:
        dimensions.setdefault(text(row.get("dimension")), []).append(row)
    kinds: dict[str, int] = {}
    for item in evidence.items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    basics = [item for item in evidence.items
              if text(next((r.get("detail") for r in evidence.trails[item.iri] if r.get("parent") is None), ""))
              in ("claim: background", "claim: prognostic statement")]
    about = sorted(((subject, evidence.statements.get(subject.iri, [])) for subject in evidence.subjects
                    if evidence.statements.get(subject.iri)), key=lambda pair: (-len(pair[1]), pair[0].label))
    interventions = {}
    for entity in evidence.interventions:
        interventions.setdefault(entity.kind, []).append(entity)
    counts = {row.get("entity"): row for name in ("intervention", "drug", "drug class", "procedure")
              for row in dimensions.get(name, [])}
    return {"dimensions": dimensions, "kinds": kinds, "basics": basics, "about": about, "interventions": interventions,
            "intervention_counts": {str(k): v for k, v in counts.items()},
            "gaps": evidence.tables.get("evidence-gaps", []),
            "designs": [f"{text(r.get('label'))} ({text(r.get('studies'))})" for r in dimensions.get("study design", [])]}


def items_view(ctx: Context) -> list[dict[str, object]]:
    result = []
    for item in ctx.evidence.items:
        head = next((r for r in ctx.evidence.trails[item.iri] if r.get("parent") is None), {})
        result.append({"item": item, "detail": text(head.get("detail")), "value": ctx.number(item.iri, head.get("value")),
                       "unit": text(head.get("unit")), "when": in_words(text(head.get("when")))})
    return result


def study_view(entity: Entity, ctx: Context) -> dict[str, object]:
    rows = ctx.evidence.by_study.get(entity.iri, [])
    sections: "OrderedDict[str, list[Row]]" = OrderedDict()
    for row in rows:
        sections.setdefault(text(row.get("section")), []).append(row)
    grouped: "OrderedDict[str, dict[str, object]]" = OrderedDict()
    for row in sections.get("response definition", []) + sections.get("arm", []):
        key = str(row.get("item"))
        grouped.setdefault(key, {"item": key, "name": text(row.get("attribute")), "section": text(row.get("section")),
                                 "lines": []})["lines"].append(row)
    known = ("study", "publication", "arm", "response definition", "baseline figure", "outcome figure")
    levels: list[str] = []
    certainties: list[str] = []
    compositions: dict[str, str] = {}
    for row in ctx.evidence.tables.get("comparative-efficacy", []):
        if study_of(row, ctx)[1] == entity.iri:
            for found, value in ((levels, text(row.get("evidenceLevel"))),
                                 (certainties, certainty(row.get("startingCertainty")))):
                if value and value not in found:
                    found.append(value)
            if text(row.get("composition")):
                compositions[text(row.get("arm"))] = text(row.get("composition"))
    has_spread = any(ctx.spread(row.get("item")) for row in sections.get("baseline figure", []))
    return {"entity": entity, "facts": sections.get("study", []), "publications": sections.get("publication", []),
            "arms": [g for g in grouped.values() if g["section"] == "arm"],
            "definitions": [g for g in grouped.values() if g["section"] == "response definition"],
            "baseline": sections.get("baseline figure", []), "outcomes": sections.get("outcome figure", []),
            "other": [(name, section) for name, section in sections.items() if name not in known],
            "levels": levels, "certainties": certainties, "compositions": compositions, "has_spread": has_spread}


RECOMMENDING = ("short answer", "recommendation", "algorithm step")
# The roles ``statements`` gives an intervention a recommending claim names without advising it.
NOT_ADVISED = ("comparator", "in its condition", "its safety")


def decision_points(evidence: Evidence, claim: str) -> list[tuple[str, str]]:
    """A claim's decision points as (IRI, label), from its trail: its own, else its algorithm's.

    The label is the graph's ("after failure or intolerance of azacitidine and ruxolitinib and
    tocilizumab"): a conjunction stays one decision point, and a class stays the class the source
    names, never the member drug a page is about."""
    rows = [r for r in evidence.trails.get(claim, []) if text(r.get("relation")) == "decision point"]
    own = [r for r in rows if not text(r.get("detail"))]
    return sorted({(str(r["node"]), text(r.get("label"))) for r in (own or rows)}, key=lambda point: point[1])


def failed_in(point: str) -> set[str]:
    """The slugs of the interventions whose failure an all-of after-failure decision point requires.

    Its path is ``decision-point/after-failure/`` then, per condition, the failed interventions and
    what happened to them (``ruxolitinib/failure+intolerance``, ``a+b/failure/c/failure``). A point
    that any one failure reaches (``…/any-of/…``: "switching between JAK inhibitor and IL-6
    blockade") advises each option after the *other's* failure, so it names none as failed here."""
    path = path_of(point) or ""
    prefix = "decision-point/after-failure/"
    if not path.startswith(prefix) or path[len(prefix):].startswith("any-of/"):
        return set()
    return {slug for part in path[len(prefix):].split("/")[::2] for slug in part.split("+")}


def advice_for(entity: Entity, ctx: Context) -> list[dict[str, object]]:
    """Where the sources recommend ``entity``: one row per recommending claim that names it as a
    treatment (``treatment-for-presentation``, other than as a caution), as an option after a failure
    (``alternatives-after-failure``) or as a subject (``statements``), each at the claim's own decision
    points as the graph labels them. A claim whose decision point is the failure of ``entity`` itself
    is not advice for it, nor one that names it only to compare with or as the therapy that failed
    (the role ``statements`` gives it), and a caution (a risk the drug carries) is not a recommendation."""
    evidence = ctx.evidence
    rows: "OrderedDict[str, Row]" = OrderedDict()
    for row in evidence.tables.get("treatment-for-presentation", []):
        if text(row.get("treatment")) == entity.label and not text(row.get("role")).startswith("caution"):
            rows.setdefault(text(row.get("claim")), row)
    for _, found in sorted(evidence.alternatives.items()):
        for row in found:
            if text(row.get("option")) == entity.label:
                rows.setdefault(text(row.get("claim")), row)
    for row in evidence.by_intervention.get(entity.iri, {}).get("statements") or []:
        if (text(row.get("kindLabel")) in RECOMMENDING and not text(row.get("via"))
                and not any(role in text(row.get("role")) for role in NOT_ADVISED)):
            rows.setdefault(text(row.get("claim")), row)
    mine = (path_of(entity.iri) or "").rsplit("/", 1)[-1]
    result = []
    for claim, row in rows.items():
        points = decision_points(evidence, claim)
        if not points or any(mine in failed_in(iri) for iri, _ in points):
            continue
        condition = next((text(r.get("label")) for r in evidence.trails.get(claim, [])
                          if text(r.get("relation")) == "condition"), "") or text(row.get("condition"))
        cells = Cells({**row, "condition": condition, "kind": row.get("kind") or row.get("kindLabel")})
        result.append({"decision": "; or ".join(label for _, label in points), "row": cells})
    return result


def intervention_view(entity: Entity, ctx: Context) -> dict[str, object]:
    evidence = ctx.evidence
    per = evidence.by_intervention.get(entity.iri, {})
    figures = [sof_row(entry, ctx) | {"outcome": text(entry["row"].get("outcomeLabel")),
                                      "when": in_words(text(entry["row"].get("measuredAt")))}
               for entry in group_figures(per.get("comparative-efficacy", []))]
    safety = per.get("safety-profile", [])
    adverse = [r for r in safety if r.get("event") is not None or "adverse" in text(r.get("category"))]
    checklist: "OrderedDict[str, list[Row]]" = OrderedDict()
    for row in safety:
        if row not in adverse:
            checklist.setdefault(text(row.get("category")), []).append(row)
    unique = advice_for(entity, ctx)
    on_page = {f["figure"] for f in figures} | {text(r.get("item")) for r in safety} | {text(r["row"].get("claim")) for r in unique}
    statements = per.get("statements")
    if statements:
        on_page |= {text(r.get("claim")) for r in statements}
    contrasts = [r for r in evidence.tables.get("contrasts", [])
                 if text(r.get("sideA")) in on_page or text(r.get("sideB")) in on_page]
    gaps = [r for r in evidence.tables.get("evidence-gaps", []) if text(r.get("intervention")) == entity.iri]
    return {"entity": entity, "figures": figures, "checklist": checklist, "adverse": adverse,
            "recommendations": unique, "contrasts": contrasts, "gaps": gaps, "statements": statements,
            "contrast_source": "contrasts", "own": own_items(entity, ctx, figures, safety, unique)}


def own_items(entity: Entity, ctx: Context, figures: list[dict[str, object]] | None = None,
              safety: list[Row] | None = None, advice: list[dict[str, object]] | None = None) -> dict[str, int]:
    """How many figures, safety rules and events, recommendations and statements the sources state for
    ``entity`` itself (not for a class it belongs to, nor for a member drug of a class). All zero means
    no source discusses it: it is in the graph only through a class or a reference entry's title, and
    its page must say so rather than look like a drug with evidence."""
    per = ctx.evidence.by_intervention.get(entity.iri, {})
    if figures is None:
        figures = [sof_row(entry, ctx) for entry in group_figures(per.get("comparative-efficacy", []))]
    safety = per.get("safety-profile", []) if safety is None else safety
    advice = advice_for(entity, ctx) if advice is None else advice
    return {"figures": sum(1 for f in figures if not any("class-level" in str(s) for s in f["scopes"])),
            "class_figures": sum(1 for f in figures if any("class-level" in str(s) for s in f["scopes"])),
            "safety": sum(1 for r in safety if text(r.get("inheritance")) in ("", "stated for it")),
            "recommendations": len(advice),
            "statements": sum(1 for r in per.get("statements") or [] if not text(r.get("via")))}


def discussed(counts: Mapping[str, int]) -> bool:
    return any(counts[k] for k in ("figures", "safety", "recommendations", "statements"))
