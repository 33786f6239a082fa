"""The ``vexas-kg`` command line: thin wrappers over the library API.

Exit codes: 0 ok, 1 invalid data (records, sources, RDF, shapes), 2 usage (bad
command, option, parameter or label), 3 query failure, 4 endpoint or server failure.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from vexas_kg.errors import VexasKGError
from vexas_kg.graph.export.formats import FORMATS as EXPORT_FORMATS

if TYPE_CHECKING:
    from vexas_kg.graph.remote.credentials import Credentials


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
    from vexas_kg.errors import UsageError
    from vexas_kg.graph.builder.pipeline import build_and_write

    if out_dir == Path("-"):
        raise UsageError("build writes two files (Turtle and N-Triples); --out takes a folder, not -"
                         " (use export --format turtle --out - for standard output)")
    result = build_and_write(out_dir, evidence)
    click.echo(result.report())


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check curated records (.yaml) or RDF files (.ttl, .nt, .jsonld) against the shapes.

    With no PATH, validates the packaged evidence. RDF files are checked together with the
    vocabulary (its subclass axioms and term schemes), so a data-only export validates.
    """
    from vexas_kg.graph.builder.pipeline import validate_paths

    report = validate_paths(list(paths))
    click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--timeout", "timeout_s", type=click.IntRange(1), default=30, show_default=True,
              help="Query timeout in seconds.")
@click.option("--evidence", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="An evidence folder of the packaged layout (default: the packaged evidence).")
def serve(host: str, port: int, timeout_s: int, evidence: Path | None) -> None:
    """Serve the checked graph as a read-only SPARQL endpoint with a query page; Ctrl-C stops it.

    Refuses to start if the graph is incomplete or does not conform to the shapes.
    SERVICE and LOAD requests are refused, so no query reaches the network.
    """
    import signal

    from vexas_kg.graph.builder.pipeline import checked_build
    from vexas_kg.graph.serve.server import serve_graph

    build = checked_build(evidence)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with serve_graph(build.graph, host, port, timeout_s) as endpoint:
            click.echo(f"SPARQL endpoint: {endpoint.query_url}")
            click.echo(f"query page:      {endpoint.base_url}/")
            click.echo(f"serving {len(build.graph)} triples read-only (query timeout {timeout_s} s); "
                       "press Ctrl-C to stop")
            try:
                endpoint.wait()
            except KeyboardInterrupt:
                pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("stopped")


def _user_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--user", default=None,
        help="Log in to the store as this user (HTTP Basic); the password comes from $VEXAS_KG_PASSWORD or "
             "a prompt. Without --user, a netrc entry ($NETRC or ~/.netrc) for the store's host is used.",
    )(command)


def _login(url: str, user: str | None) -> Credentials | None:
    """Credentials for ``url`` (checked first: an http(s) URL with a host, else exit 2); asks for the
    password on a terminal when --user has none."""
    from vexas_kg.graph.remote.credentials import PASSWORD_VARIABLE, credentials_for, sent_in_clear
    from vexas_kg.graph.remote.transport import check_url

    check_url(url)
    password = None
    if user is not None and PASSWORD_VARIABLE not in os.environ and sys.stdin.isatty():
        password = click.prompt(f"password for {user}", hide_input=True, err=True)
    auth = credentials_for(url, user, password)
    if auth is not None and sent_in_clear(url):
        click.echo(f"warning: the login for {url} is sent unencrypted (plain http to another host); use https",
                   err=True)
    return auth


@main.command()
@click.option("--endpoint", required=True,
              help="Graph Store Protocol URL of the store, e.g. http://127.0.0.1:7878/store (see docs/serving.md).")
@click.option("--graph", "graph_iri", default="https://w3id.org/vexas-kg/id/graph/vexas-kg", show_default=True,
              help="The named graph to replace.")
@click.option("--timeout", "timeout_s", type=click.IntRange(1), default=60, show_default=True,
              help="Deadline of each HTTP request in seconds (the whole answer, not each read).")
@click.option("--evidence", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="An evidence folder of the packaged layout (default: the packaged evidence).")
@_user_option
def push(endpoint: str, graph_iri: str, timeout_s: int, evidence: Path | None, user: str | None) -> None:
    """Replace one named graph on a SPARQL 1.1 store with the checked graph, then verify it.

    Reads the graph back and compares triple count and canonical hash; on any
    failure the previous graph is put back and the error says so.
    """
    from vexas_kg.graph.builder.pipeline import checked_build
    from vexas_kg.graph.remote.client import push as push_graph

    auth = _login(endpoint, user)
    build = checked_build(evidence)
    click.echo(push_graph(build.graph, endpoint, graph_iri, timeout_s, auth).text())


@main.command()
@click.option("--format", "fmt", required=True, metavar="FMT", help="One of: " + "; ".join(
    f"{name}: {spec.summary}" for name, spec in EXPORT_FORMATS.items()) + ".")
@click.option("--out", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="Output file (default: out/<name>; - for standard output, single-file formats; kgx writes "
                   "<out>_nodes.jsonl, <out>_edges.jsonl, <out>_prefixes.jsonld and <out>_infores.tsv).")
@click.option("--query", "query_name", default=None, help="For --format csv: the named query to run.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="For --format csv: a query parameter.")
@click.option("--evidence", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="An evidence folder of the packaged layout (default: the packaged evidence).")
def export(fmt: str, out: Path | None, query_name: str | None, params: tuple[str, ...],
           evidence: Path | None) -> None:
    """Export the checked graph in a standard format (each file written atomically)."""
    from vexas_kg.errors import UsageError
    from vexas_kg.graph.export.formats import FORMATS, ExportRequest
    from vexas_kg.graph.export.formats import export as export_build
    from vexas_kg.graph.builder.pipeline import checked_build
    from vexas_kg.graph.query.named import named, parse_params

    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if (query_name or params) and fmt != "csv":
        raise UsageError("--query and --param belong to --format csv")
    if fmt == "csv" and not query_name:
        raise UsageError("--format csv needs --query NAME (and --param NAME=VALUE for its parameters)")
    if query_name:
        named(query_name)
    request = ExportRequest(query_name, tuple(sorted(parse_params(params).items())))
    for path in export_build(checked_build(evidence), fmt, out, request):
        click.echo(f"wrote {path}")


@main.command("queries")
def list_queries() -> None:
    """List the named queries: the question each answers and its parameters."""
    from vexas_kg.queries import catalog

    for name, named_query in catalog().items():
        click.echo(f"{name}: {named_query.title}")
        click.echo(f"    {named_query.question}")
        for parameter in named_query.parameters:
            click.echo(f"    --param {parameter.name}=<{parameter.type}> ({parameter.mode}): {parameter.description}")


ENGINES = ("oxigraph", "rdflib")


@main.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter value; labels are accepted where IRIs are expected (repeatable; repeat a "
                   "parameter listed with 'repeat for several' to give it several values).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="table for reading; csv, tsv, json: the W3C SPARQL 1.1 result formats.")
@click.option("--columns", default=None, metavar="A,B,...",
              help="Show only these result columns, in this order (every row is kept).")
@click.option("--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Run your own SELECT query from this file instead of a named query.")
@click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True,
              help="The in-process SPARQL engine.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Run on this SPARQL 1.1 endpoint instead of in-process (see docs/serving.md).")
@click.option("--graph", "graph_iri", default=None, metavar="IRI",
              help="With --endpoint: the named graph holding the data (sent as default-graph-uri).")
@click.option("--timeout", "timeout_s", type=click.IntRange(1), default=30, show_default=True,
              help="With --endpoint: the request deadline in seconds (the whole answer, not each read).")
@_user_option
def query(name: str | None, params: tuple[str, ...], fmt: str, columns: str | None, query_file: Path | None,
          engine: str, endpoint: str | None, graph_iri: str | None, timeout_s: int, user: str | None) -> None:
    """Run the named query NAME (see `vexas-kg queries`) or --file FILE on the graph, built in-process."""
    from vexas_kg.errors import UsageError
    from vexas_kg.graph.builder.assemble import build_graph
    from vexas_kg.graph.query.named import engine_for, named, parse_params, run_query, user_query
    from vexas_kg.graph.query.results import format_results, select_columns

    if (name is None) == (query_file is None):
        raise UsageError("give either a query NAME or --file FILE (see `vexas-kg queries`)")
    values = parse_params(params)
    chosen = named(name) if name is not None else user_query(query_file, values)
    if endpoint is not None:
        from vexas_kg.graph.remote.client import RemoteEngine

        auth = _login(endpoint, user)
        table = run_query(chosen, values, RemoteEngine(endpoint, timeout_s, (graph_iri,) if graph_iri else (), auth))
    elif graph_iri is not None or user is not None:
        raise UsageError(f"{'--graph' if graph_iri is not None else '--user'} belongs to --endpoint")
    else:
        table = run_query(chosen, values, engine_for(build_graph().graph, engine))
    click.echo(format_results(select_columns(table, columns), fmt), nl=False)


@main.command()
@click.argument("item")
@click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True,
              help="The in-process SPARQL engine.")
def trace(item: str, engine: str) -> None:
    """Print the provenance trail of ITEM (a figure, claim, safety rule or adverse event) as a tree.

    ITEM is an IRI, a short id such as 004:jaki-overall-response-3m, or a label.
    """
    from vexas_kg.graph.builder.assemble import build_graph
    from vexas_kg.graph.query.named import engine_for
    from vexas_kg.graph.query.trail import render
    from vexas_kg.graph.query.trail import trace as trail_of

    click.echo(render(trail_of(item, engine_for(build_graph().graph, engine))), nl=False)


def run() -> None:
    """The ``vexas-kg`` console script: run the CLI, flush its output, and end the process at once.

    A command leaves tens of thousands of objects behind (the graph, two stores, the
    shapes); tearing the interpreter down frees them one by one, about 0.1 s of work
    for a process that is ending anyway. Nothing is lost by skipping it: every file is
    written and closed inside the command, and the output is flushed here. An
    unexpected exception is not caught, so it shows its traceback as usual.
    """
    try:
        main()
        code: object = 0
    except SystemExit as exit_request:
        code = exit_request.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            code = code or 1
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


if __name__ == "__main__":  # pragma: no cover
    run()
