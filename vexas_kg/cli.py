"""The ``vexas-kg`` command line: thin wrappers over the library API.

Exit codes: 0 ok, 1 invalid data (records, sources, RDF, shapes), 2 usage (bad
command, option, parameter or label), 3 query failure, 4 endpoint or server failure.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from vexas_kg import defaults
from vexas_kg.errors import VexasKGError
from vexas_kg.runtime import tune_collector
from vexas_kg.graph.export.formats import FORMATS as EXPORT_FORMATS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from vexas_kg.graph.query.engine import Engine
    from vexas_kg.graph.remote.credentials import Credentials
    from vexas_kg.queries import NamedQuery


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


_evidence_option = click.option(
    "--evidence", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="An evidence folder of the packaged layout (default: the packaged evidence).")


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(defaults.OUT_DIR),
              show_default=True, help="Folder for vexas-kg.ttl and vexas-kg.nt.")
@_evidence_option
@click.option("--incremental", is_flag=True,
              help="Re-load and re-validate only the records that changed since the last --incremental build "
                   "(cache: OUT/.vexas-kg-cache, or --cache). The output is the same as a full build's.")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the build cache (implies --incremental).")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes that validate changed records (--incremental; default 1).")
def build(out_dir: Path, evidence: Path | None, incremental: bool, cache_dir: Path | None, jobs: int | None) -> None:
    """Load, check and validate every record, then write the graph (Turtle and N-Triples)."""
    from vexas_kg.errors import UsageError

    if out_dir == Path("-"):
        raise UsageError("build writes two files (Turtle and N-Triples); --out takes a folder, not -"
                         " (use export --format turtle --out - for standard output)")
    if jobs is not None and not (incremental or cache_dir):
        raise UsageError("--jobs applies to --incremental builds only")
    if incremental or cache_dir is not None:
        from vexas_kg.graph.builder.incremental import build_and_write_cached

        result = build_and_write_cached(out_dir, evidence, cache_dir=cache_dir, jobs=jobs)
    else:
        from vexas_kg.graph.builder.pipeline import build_and_write

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
@click.option("--host", default=defaults.SERVE_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=defaults.SERVE_PORT, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--timeout", "timeout_s", type=click.IntRange(1), default=defaults.QUERY_TIMEOUT_S, show_default=True,
              help="Deadline of each query in seconds; a query past it is stopped and answered 503.")
@click.option("--memory", "memory_mb", type=click.IntRange(256), default=defaults.QUERY_MEMORY_MB, show_default=True,
              help="Memory (MiB of address space) one query evaluation may use; past it the query is stopped.")
@click.option("--workers", type=click.IntRange(1, 64), default=defaults.SERVE_WORKERS, show_default=True,
              help="Query worker processes (queries evaluated at the same time).")
@click.option("--cors/--no-cors", default=True, show_default=True,
              help="Let web pages on other origins query the endpoint (Access-Control-Allow-Origin: *).")
@click.option("--allow-host", "extra_hosts", multiple=True, metavar="NAME",
              help="Another Host header value to answer (a DNS name of this machine; repeatable).")
@_evidence_option
def serve(host: str, port: int, timeout_s: int, memory_mb: int, workers: int, cors: bool,
          extra_hosts: tuple[str, ...], evidence: Path | None) -> None:
    """Serve the checked graph as a read-only SPARQL endpoint, named-query API and query page; Ctrl-C stops it.

    Refuses to start if the graph is incomplete or does not conform to the shapes.
    SERVICE, FROM/FROM NAMED, LOAD and every update are refused, so no query reaches the network.
    """
    from vexas_kg.graph.builder.pipeline import checked_build
    from vexas_kg.graph.serve.app import Settings
    from vexas_kg.graph.serve.evaluator import Limits
    from vexas_kg.graph.serve.server import run_endpoint

    build = checked_build(evidence)
    settings = Settings(timeout_s=timeout_s, workers=workers, limits=Limits(memory_mb=memory_mb), cors=cors)

    def ready(base_url: str) -> None:
        click.echo(f"SPARQL endpoint: {base_url}/query")
        click.echo(f"named queries:   {base_url}/api")
        click.echo(f"query page:      {base_url}/")
        click.echo(f"serving {len(build.graph)} triples read-only (query deadline {timeout_s} s, "
                   f"{memory_mb} MiB per query, {workers} workers); press Ctrl-C to stop")
        sys.stdout.flush()

    run_endpoint(build.graph, host, port, settings, extra_hosts, ready)
    click.echo("stopped")


def _user_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--user", default=None,
        help="Log in to the store as this user (HTTP Basic); the password comes from $VEXAS_KG_PASSWORD or "
             "a prompt. Without --user, a netrc entry ($NETRC or ~/.netrc) for the store's host is used.",
    )(command)


def _endpoint_options(endpoint_help: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--endpoint URL, --graph IRI, --timeout S and --user NAME: the options of a command that can read a remote store."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        for option in (
            _user_option,
            click.option("--timeout", "timeout_s", type=click.IntRange(1), default=defaults.QUERY_TIMEOUT_S, show_default=True,
                         help="Deadline in seconds: with --endpoint, for the whole answer (not each read); "
                              "`query` also stops an in-process evaluation past it."),
            click.option("--graph", "graph_iri", default=None, metavar="IRI",
                         help="With --endpoint: the named graph holding the data (sent as default-graph-uri)."),
            click.option("--endpoint", default=None, metavar="URL", help=endpoint_help),
        ):
            command = option(command)
        return command

    return decorate


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
@click.option("--graph", "graph_iri", default=defaults.GRAPH_IRI, show_default=True,
              help="The named graph to replace.")
@click.option("--timeout", "timeout_s", type=click.IntRange(1), default=defaults.PUSH_TIMEOUT_S, show_default=True,
              help="Deadline of each HTTP request in seconds (the whole answer, not each read).")
@_evidence_option
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
@_evidence_option
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
        for example in named_query.examples:
            shown = " ".join(f"--param {shlex.quote(f'{key}={value}')}" for key, value in example)
            click.echo(f"    e.g. vexas-kg query {name} {shown}")


ENGINES = ("oxigraph", "rdflib")


def _engine_options(command: Callable[..., None]) -> Callable[..., None]:
    """--engine for in-process runs, and the remote-store options (``_endpoint_options``)."""
    command = _endpoint_options("Run on this SPARQL 1.1 endpoint instead of in-process (see docs/serving.md).")(command)
    return click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True,
                        help="The in-process SPARQL engine.")(command)


def _engine(engine: str, endpoint: str | None, graph_iri: str | None, timeout_s: int, user: str | None) -> Engine:
    """The remote store named by --endpoint, else the named in-process engine over a fresh build."""
    from vexas_kg.errors import UsageError

    if endpoint is not None:
        from vexas_kg.graph.remote.client import RemoteEngine

        return RemoteEngine(endpoint, timeout_s, (graph_iri,) if graph_iri else (), _login(endpoint, user))
    if graph_iri is not None or user is not None:
        raise UsageError(f"{'--graph' if graph_iri is not None else '--user'} belongs to --endpoint")
    from vexas_kg.graph.builder.assemble import build_graph
    from vexas_kg.graph.query.named import engine_for

    return engine_for(build_graph().graph, engine)


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
@_engine_options
@click.option("--memory", "memory_mb", type=click.IntRange(64), default=defaults.QUERY_MEMORY_MB, show_default=True,
              help="In-process: memory (MiB) the query evaluation may use; past it the query is stopped.")
def query(name: str | None, params: tuple[str, ...], fmt: str, columns: str | None, query_file: Path | None,
          engine: str, endpoint: str | None, graph_iri: str | None, timeout_s: int, memory_mb: int,
          user: str | None) -> None:
    """Run the named query NAME (see `vexas-kg queries`) or --file FILE on the graph, built in-process."""
    from vexas_kg.errors import UsageError
    from vexas_kg.graph.query.named import named, parse_params, run_query, user_query
    from vexas_kg.graph.query.results import format_results, select_columns

    if (name is None) == (query_file is None):
        raise UsageError("give either a query NAME or --file FILE (see `vexas-kg queries`)")
    values = parse_params(params)
    chosen = named(name) if name is not None else user_query(query_file, values)
    if endpoint is not None:
        from vexas_kg.graph.remote.api import api_base, run_api
        from vexas_kg.graph.remote.client import RemoteEngine, holds_data, no_data_message

        auth = _login(endpoint, user)
        base = api_base(endpoint, timeout_s, auth) if name is not None and graph_iri is None else None
        if base is not None:
            table = run_api(base, name, values, timeout_s, auth)
        else:
            remote = RemoteEngine(endpoint, timeout_s, (graph_iri,) if graph_iri else (), auth)
            table = run_query(chosen, values, remote)
            if not table.rows and not holds_data(remote):
                click.echo(f"note: no rows: {no_data_message(remote)}", err=True)
    else:
        from vexas_kg.graph.query.bounded import run_bounded

        local = _engine(engine, endpoint, graph_iri, timeout_s, user)
        table = run_bounded(lambda: run_query(chosen, values, local), timeout_s, memory_mb)
    click.echo(format_results(select_columns(table, columns), fmt), nl=False)
    _next_page(chosen, values, len(table.rows))


def _next_page(chosen: "NamedQuery", values: "Mapping[str, object]", rows: int) -> None:
    """On standard error, where a full page may not be the end of the answer: how to read on."""
    from vexas_kg.graph.query.paging import next_page, page_of

    page = page_of(chosen, values)
    following = next_page(page, rows)
    if following is not None:
        click.echo(f"note: rows {page.start + 1}-{page.stop} of the ordered answer; the next page: "
                   f"--param offset={following.start} --param limit={following.stop - following.start}", err=True)


class _ModelHelp(click.Command):
    """A command whose help names kinds of the model: ``{traceable}`` is filled in when help is shown
    (so the model is imported only then, and a new kind appears in the help by its registry row)."""

    @property
    def help(self) -> str | None:
        if self._help is None:
            return None
        from vexas_kg import model

        return self._help.format(traceable=model.nouns(model.traceable()))

    @help.setter
    def help(self, text: str | None) -> None:
        self._help = text


@main.command(cls=_ModelHelp)
@click.argument("item")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: an indented tree; json: the same tree as nested objects.")
@_engine_options
def trace(item: str, fmt: str, engine: str, endpoint: str | None, graph_iri: str | None, timeout_s: int,
          user: str | None) -> None:
    """Print the provenance trail of ITEM (a {traceable}) as a tree.

    ITEM is an IRI, a short id such as 004:jaki-overall-response-3m, a label, or the text a figure
    prints ("91%": the figure whose quote prints it; several matches are listed to choose from).
    """
    import json

    from vexas_kg.graph.query.trail import render
    from vexas_kg.graph.query.trail import trace as trail_of

    chosen = _engine(engine, endpoint, graph_iri, timeout_s, user)
    root = trail_of(item, chosen)
    if fmt == "json":
        click.echo(json.dumps(root.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(root), nl=False)


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(defaults.REPORT_DIR),
              show_default=True, help="Folder for the site (replaced atomically).")
@_evidence_option
@_endpoint_options("Build the report from this SPARQL 1.1 endpoint instead of the in-process graph.")
def report(out_dir: Path, endpoint: str | None, graph_iri: str | None, timeout_s: int, evidence: Path | None,
           user: str | None) -> None:
    """Write the evidence report: a self-contained static HTML site (open its index.html).

    Every page is generated from the named queries' answers; two runs write identical
    bytes, and on any error nothing is written.
    """
    from vexas_kg.errors import UsageError
    from vexas_kg.graph.report.report import local_site, remote_site, write_report

    if endpoint is not None:
        from vexas_kg.graph.remote.client import RemoteEngine

        if evidence is not None:
            raise UsageError("--evidence belongs to the in-process graph, not to --endpoint")
        auth = _login(endpoint, user)
        site = remote_site(RemoteEngine(endpoint, timeout_s, (graph_iri,) if graph_iri else (), auth))
    elif graph_iri is not None or user is not None:
        raise UsageError(f"{'--graph' if graph_iri is not None else '--user'} belongs to --endpoint")
    else:
        site = local_site(evidence)
    click.echo(write_report(site, out_dir).text())


def run() -> None:
    """The ``vexas-kg`` console script: run the CLI, flush its output, and end the process at once.

    A command leaves tens of thousands of objects behind (the graph, two stores, the
    shapes); tearing the interpreter down frees them one by one, about 0.1 s of work
    for a process that is ending anyway. Nothing is lost by skipping it: every file is
    written and closed inside the command, and the output is flushed here. An
    unexpected exception is not caught, so it shows its traceback as usual. The garbage
    collector is tuned for one large graph held for the process's life (:mod:`vexas_kg.runtime`).
    """
    tune_collector()
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
