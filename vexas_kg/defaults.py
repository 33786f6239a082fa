"""Defaults shared by the library and the CLI, declared once.

A plain module of constants (no imports) so that the CLI can show them in ``--help``
without loading rdflib or the stores.
"""

from __future__ import annotations

GRAPH_IRI = "https://w3id.org/vexas-kg/id/graph/vexas-kg"
"""The named graph ``push`` writes the build into (and remote queries are told to name)."""

OUT_DIR = "out"
REPORT_DIR = "out/report"

QUERY_TIMEOUT_S = 30
"""Deadline of one query (in-process, remote or on the endpoint), in seconds."""
QUERY_MEMORY_MB = 2048
"""Address space one in-process query evaluation may use, in MiB."""
PUSH_TIMEOUT_S = 60

SERVE_HOST = "127.0.0.1"
SERVE_PORT = 7878
SERVE_WORKERS = 2
