"""Load: 32 keep-alive clients, 320 mixed named-query requests, every answer equal to the in-process answer."""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

import pytest

from vexas_kg.graph.query.named import LabelIndex, engine_for, run_named
from vexas_kg.graph.query.results import to_json

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from clients import drive  # noqa: E402  (the benchmark's client loop)

pytestmark = pytest.mark.slow
CASES = [
    ("evidence-overview", {}), ("contrasts", {}), ("evidence-gaps", {}), ("citation-audit", {}),
    ("citation-audit", {"document": "004"}), ("comparative-efficacy", {}),
    ("comparative-efficacy", {"intervention": "ruxolitinib", "timepoint": "6 months"}),
    ("alternatives-after-failure", {"drug": "ruxolitinib"}), ("safety-profile", {"intervention": "tofacitinib"}),
    ("provenance-trail", {"item": "004:jaki-overall-response-3m"}), ("study-summary", {"study": "study/uk-cohort"}),
    ("treatment-for-presentation", {}),
    ("treatment-for-presentation", {"manifestation": ("episcleritis", "recurrent fever")}),
]
CLIENTS = 32
PER_CLIENT = 10


def target(name: str, params: dict) -> str:
    pairs = [(k, v) for k, values in params.items() for v in (values if isinstance(values, tuple) else (values,))]
    return f"/api/{name}" + (f"?{urllib.parse.urlencode(pairs)}" if pairs else "")


def test_32_clients_get_the_in_process_answers(server, built) -> None:
    engine = engine_for(built.graph)
    labels = LabelIndex.from_engine(engine)
    expected = {target(n, p): json.loads(to_json(run_named(n, p, engine, labels))) for n, p in CASES}
    assert sum(bool(doc["results"]["bindings"]) for doc in expected.values()) >= 10  # answers with rows
    paths = list(expected)
    plans = [[("GET", paths[(number * PER_CLIENT + i) % len(paths)], None,
               {"Accept": "application/sparql-results+json"}) for i in range(PER_CLIENT)] for number in range(CLIENTS)]

    def check(request, status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status} {body[:200]!r}"
        return None if json.loads(body) == expected[request[1]] else "answer differs from the in-process answer"

    run = drive(server.port, plans, check, timeout_s=60, deadline_s=300)
    assert run.failures == []
    assert len(run.latencies) == CLIENTS * PER_CLIENT >= 300
