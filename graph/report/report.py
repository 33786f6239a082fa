"""``vexas-kg report``: gather the named queries' answers, render the site, write it atomically.

The same code runs on the checked in-process graph and on a remote SPARQL endpoint;
only the engine (and how the graph's hash is taken) differs, so both give the same site.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vexas_kg.graph.query.engine import Engine
from vexas_kg.graph.report.data import Evidence, gather, graph_hash, remote_graph
from vexas_kg.graph.report.site import render_site
from vexas_kg.graph.report.sources import Sources
from vexas_kg.graph.report.write import write_site


@dataclass(frozen=True)
class ReportResult:
    """Where the site went and what it holds."""

    out: Path
    pages: int
    graph_hash: str

    @property
    def index(self) -> Path:
        return self.out / "index.html"

    def text(self) -> str:
        return (f"wrote {self.pages} pages (graph sha256 {self.graph_hash[:16]}) to {self.out}\n"
                f"open {self.index.resolve()}")


@dataclass(frozen=True)
class Site:
    """The rendered site, in memory: relative path -> bytes, and the hash of the graph it shows."""

    files: dict[str, bytes]
    graph_hash: str


def render(engine: Engine, hash_: str) -> Site:
    """Every file of the site for the graph behind ``engine`` (whose canonical hash is ``hash_``)."""
    from vexas_kg.graph.builder.assemble import packaged_evidence

    evidence: Evidence = gather(engine, hash_)
    folder = packaged_evidence()
    return Site(render_site(evidence, Sources(folder.joinpath("sources")), folder.joinpath("reference")), hash_)


def local_site(evidence_folder: Path | None = None, engine_name: str = "oxigraph") -> Site:
    """The site of the checked (complete, conforming) in-process build."""
    from vexas_kg.graph.builder.pipeline import checked_build
    from vexas_kg.graph.query.named import engine_for

    build = checked_build(evidence_folder)
    return render(engine_for(build.graph, engine_name), graph_hash(build.graph))


def remote_site(engine: Engine) -> Site:
    """The site of the graph a remote endpoint serves."""
    return render(engine, graph_hash(remote_graph(engine)))


def write_report(site: Site, out: Path) -> ReportResult:
    """Write ``site`` as the folder ``out`` (atomically)."""
    write_site(site.files, out)
    return ReportResult(out, sum(1 for name in site.files if name.endswith(".html")), site.graph_hash)
