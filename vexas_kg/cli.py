"""The ``vexas-kg`` command line: thin wrappers over the library API.

Exit codes: 0 ok, 1 invalid data (records, sources, RDF, shapes), 2 usage (bad
command, option, parameter or label), 3 query failure, 4 endpoint or server failure.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vexas_kg.errors import VexasKGError


class _Group(click.Group):
    """Maps every VexasKGError to its exit code with one clear message on stderr."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except VexasKGError as exc:
            click.echo(f"error: {exc}", err=True)
            report = getattr(exc, "report", "")
            if report:
                click.echo(report, err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group)
@click.version_option(package_name="vexas-kg")
def main() -> None:
    """vexas-kg: the VEXAS treatment evidence graph, with a verbatim quote behind every number."""


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for vexas-kg.ttl and vexas-kg.nt.")
@click.option("--evidence", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="An evidence folder of the packaged layout (default: the packaged evidence).")
def build(out_dir: Path, evidence: Path | None) -> None:
    """Load, check and validate every record, then write the graph (Turtle and N-Triples)."""
    from vexas_kg.graph.pipeline import build_and_write

    result = build_and_write(out_dir, evidence)
    click.echo(result.report())


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check curated records (.yaml) or RDF files (.ttl, .nt, .jsonld) against the shapes.

    With no PATH, validates the packaged evidence.
    """
    from vexas_kg.graph.pipeline import validate_paths

    report = validate_paths(list(paths))
    click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
