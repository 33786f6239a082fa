"""The export formats, one table: file name, media type and writer of each; and ``export``,
which writes a format's files atomically. Each format family lives in its own module:

- ``turtle``, ``ntriples``, ``jsonld``, ``trig``, ``nquads``: the whole graph
  (:mod:`vexas_kg.graph.export.rdf`);
- ``csv``: the rows of one named query;
- ``kgx``: Biolink nodes and edges (:mod:`vexas_kg.graph.export.kgx`);
- ``fhir``: a FHIR R5 Evidence-Based Medicine Bundle (:mod:`vexas_kg.graph.export.fhir`);
- ``nanopub``: one nanopublication per claim and per figure (:mod:`vexas_kg.graph.export.nanopub`);
- ``graphml``, ``nodelink``, ``support``: the networkx view and the claim-support
  analysis (:mod:`vexas_kg.graph.export.network`);
- ``void``: a VoID/DCAT description listing the other formats as distributions
  (:mod:`vexas_kg.graph.export.void`).

docs/exchange.md names the external tool that checks each format and the command.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from vexas_kg.errors import UsageError

if TYPE_CHECKING:  # the table is imported by the command line to list the formats: writers import lazily
    from vexas_kg.graph.builder.assemble import Build


def named_query_csv(name: str, params: Mapping[str, str | tuple[str, ...]], build: Build) -> str:
    """The CSV rows of one named query, run on the build with the default in-process engine."""
    from vexas_kg.graph.query.named import engine_for, run_named
    from vexas_kg.graph.query.results import format_results

    table = run_named(name, dict(params), engine_for(build.graph))
    return format_results(table, "csv")


# ------------------------------------------------------------------ the table

@dataclass(frozen=True)
class Format:
    """One export format: default file name, media type, writer and a one-line summary.

    ``parts`` are the suffixes and media types of a format written as several files
    (``<out><suffix>``); ``whole_graph`` marks the formats holding exactly the build's
    triples (RDF dumps).
    """

    filename: str
    media_type: str
    whole_graph: bool
    write: Callable[[Build, Path, "ExportRequest"], dict[Path, str | bytes]]
    summary: str
    parts: tuple[tuple[str, str], ...] = ()

    def default_files(self) -> tuple[tuple[str, str], ...]:
        """Name and media type of each file an export with no ``--out`` writes."""
        return tuple((self.filename + part, media) for part, media in self.parts) or ((self.filename, self.media_type),)


@dataclass(frozen=True)
class ExportRequest:
    """What ``vexas-kg export`` was asked for besides the format."""

    query: str | None = None
    params: tuple[tuple[str, str | tuple[str, ...]], ...] = ()


def _single(render: Callable[[Build], str | bytes]) -> Callable[[Build, Path, ExportRequest], dict[Path, str | bytes]]:
    return lambda build, out, request: {out: render(build)}


def _lazy(module: str, function: str, on_graph: bool = False) -> Callable[[Build], str | bytes]:
    """A writer that imports ``vexas_kg.graph.<module>`` only when it runs (the CLI reads this table for --help)."""
    def write(build: Build) -> str | bytes:
        render = getattr(importlib.import_module(f"vexas_kg.graph.{module}"), function)
        return render(build.graph if on_graph else build)
    return write


KGX_PARTS = (("_nodes.jsonl", "application/x-ndjson"), ("_edges.jsonl", "application/x-ndjson"),
             ("_prefixes.jsonld", "application/ld+json"), ("_infores.tsv", "text/tab-separated-values"))


def _kgx_files(build: Build, out: Path, request: ExportRequest) -> dict[Path, str | bytes]:
    from vexas_kg.graph.export.kgx import to_kgx

    kgx = to_kgx(build)
    stem = out.name[:-len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    texts = (kgx.nodes_jsonl(), kgx.edges_jsonl(), kgx.prefixes_jsonld(), kgx.infores_tsv())
    return {out.with_name(stem + part): text for (part, _), text in zip(KGX_PARTS, texts)}


def _csv_file(build: Build, out: Path, request: ExportRequest) -> dict[Path, str | bytes]:
    if not request.query:
        raise UsageError("--format csv needs --query NAME (and --param NAME=VALUE for its parameters)")
    return {out: named_query_csv(request.query, dict(request.params), build)}


def _network(render: str) -> Callable[[Build], str | bytes]:
    def write(build: Build) -> str | bytes:
        from vexas_kg.graph.export import network

        view = network.evidence_network(build.graph)
        return network.to_graphml(view) if render == "graphml" else network.to_node_link(view)
    return write


def _support(build: Build) -> str:
    from vexas_kg.graph.export import network

    return network.support_csv(network.claim_support(build.graph))


def _void(build: Build) -> str:
    from vexas_kg.graph.export.void import Distribution, void_description
    from vexas_kg.graph.store.serialize import to_turtle

    distributions = [Distribution(name, spec.default_files(), spec.whole_graph)
                     for name, spec in FORMATS.items() if name not in ("csv", "void")]
    return to_turtle(void_description(build, distributions))


FORMATS: dict[str, Format] = {
    "turtle": Format("vexas-kg.ttl", "text/turtle", True, _single(_lazy("store.serialize", "to_turtle", on_graph=True)),
                     "the whole graph, sorted Turtle"),
    "ntriples": Format("vexas-kg.nt", "application/n-triples", True, _single(_lazy("store.serialize", "to_ntriples", on_graph=True)),
                       "the whole graph, canonical N-Triples"),
    "jsonld": Format("vexas-kg.jsonld", "application/ld+json", True, _single(_lazy("export.rdf", "to_jsonld", on_graph=True)),
                     "the whole graph, JSON-LD with its context inline"),
    "trig": Format("vexas-kg.trig", "application/trig", True, _single(_lazy("export.rdf", "to_trig")),
                   "the whole graph, one named graph per source document"),
    "nquads": Format("vexas-kg.nq", "application/n-quads", True, _single(_lazy("export.rdf", "to_nquads")),
                     "the same dataset as trig, sorted N-Quads"),
    "csv": Format("query.csv", "text/csv", False, _csv_file, "the rows of one named query, with --query and --param"),
    "kgx": Format("vexas-kg", "application/x-ndjson", False, _kgx_files,
                  "Biolink KGX nodes and edges as JSON Lines, with prefix map and knowledge sources", KGX_PARTS),
    "fhir": Format("vexas-kg.fhir.json", "application/fhir+json", False, _single(_lazy("export.fhir", "to_fhir_json")),
                   "FHIR R5 Evidence-Based Medicine Bundle: Evidence, EvidenceVariable, Citation"),
    "nanopub": Format("vexas-kg.nanopub.trig", "application/trig", False, _single(_lazy("export.nanopub", "to_nanopub_trig")),
                      "one nanopublication per claim and per figure, as TriG"),
    "graphml": Format("vexas-kg.graphml", "application/graphml+xml", False, _single(_network("graphml")),
                      "the networkx evidence view as GraphML"),
    "nodelink": Format("vexas-kg.nodelink.json", "application/json", False, _single(_network("nodelink")),
                       "the networkx evidence view as node-link JSON"),
    "support": Format("claim-support.csv", "text/csv", False, _single(_support),
                      "the claim-support analysis, one row per claim"),
    "void": Format("vexas-kg.void.ttl", "text/turtle", False, _single(_void),
                   "VoID/DCAT description with a distribution per exported file"),
}


STDOUT = Path("-")
"""``--out -``: write the one output file to standard output."""


def export(build: Build, fmt: str, out: Path | None = None, request: ExportRequest = ExportRequest(),
           out_dir: Path = Path("out")) -> list[Path]:
    """Write the build in ``fmt`` to ``out`` (default: ``out/<format's file name>``; ``-``: standard output).

    Returns the files written (none for standard output); a multi-file format's files replace their old
    versions together (``graph.store.output``).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    from vexas_kg.graph.store.output import write_set, write_stdout

    spec = FORMATS[fmt]
    if out is None:
        out = out_dir / (f"{request.query}.csv" if fmt == "csv" and request.query else spec.filename)
    if out == STDOUT:
        files = spec.write(build, Path(spec.filename), request)
        if len(files) != 1:
            raise UsageError(f"--format {fmt} writes {len(files)} files; --out - (standard output) takes one")
        write_stdout(next(iter(files.values())))
        return []
    files = spec.write(build, out, request)
    return write_set(files)
