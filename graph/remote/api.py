"""Named queries on a vexas-kg server through its ``/api``: labels resolved and parameters bound there, as in-process.

Any other SPARQL endpoint is queried with the SPARQL 1.1 Protocol
(:class:`~vexas_kg.graph.remote.client.RemoteEngine`); a vexas-kg server is recognised
by its ``/api`` listing, and then the query's own parameter binding is used instead
of a ``VALUES`` block, which is both faster and exactly the in-process answer.
"""

from __future__ import annotations

import json
import urllib.parse

from vexas_kg.errors import EndpointError, UsageError
from vexas_kg.graph.query.engine import ResultTable
from vexas_kg.graph.query.named import Params, portable
from vexas_kg.graph.remote.client import _request, results_from_json
from vexas_kg.graph.remote.credentials import Credentials

RESULTS_JSON = "application/sparql-results+json"


def api_base(endpoint: str, timeout_s: int, auth: Credentials | None = None) -> str | None:
    """The base URL of the vexas-kg API behind ``endpoint`` (``…/query``), or None if it is another kind of store.

    An endpoint that cannot be reached raises EndpointError here, so the deadline is not spent twice."""
    split = urllib.parse.urlsplit(endpoint)
    if not split.path.endswith("/query") or split.query:
        return None
    base = urllib.parse.urlunsplit((split.scheme, split.netloc, split.path[: -len("/query")], "", ""))
    # A store that cannot be reached (or does not answer in time) fails here, once, with the transport's message.
    status, body = _request("GET", f"{base}/api", timeout_s, headers={"Accept": "application/json"}, auth=auth)
    if status != 200:
        return None
    try:
        listing = json.loads(body)
    except ValueError:
        return None
    return base if isinstance(listing, dict) and listing.get("service") == "vexas-kg" else None


def run_api(base: str, name: str, params: Params, timeout_s: int, auth: Credentials | None = None) -> ResultTable:
    """Run the named query ``name`` through ``base/api/NAME``; the server's 400 (a bad parameter) is a UsageError."""
    pairs = [(key, value) for key, values in params.items()
             for value in ((values,) if isinstance(values, str) else values)]
    url = f"{base}/api/{urllib.parse.quote(name)}" + (f"?{urllib.parse.urlencode(pairs)}" if pairs else "")
    status, body = _request("GET", url, timeout_s, headers={"Accept": RESULTS_JSON}, auth=auth)
    message = body.decode("utf-8", errors="replace").strip()[:500]
    if status in (400, 404):
        raise UsageError(message or f"the server refused {url} (HTTP {status})")
    if status != 200:
        raise EndpointError(f"GET {url} failed: HTTP {status} {message}")
    try:
        table = results_from_json(json.loads(body))
    except ValueError:
        raise EndpointError(f"GET {url} did not return SPARQL JSON results") from None
    return ResultTable(table.columns, tuple(tuple(portable(term) for term in row) for row in table.rows))
