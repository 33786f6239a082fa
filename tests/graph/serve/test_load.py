"""Load: 32 keep-alive clients, 320 mixed named-query requests, every answer equal to the in-process answer."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse

import pytest

from vexas_kg.graph.query.named import LabelIndex, engine_for, run_named
from vexas_kg.graph.query.results import to_json

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
    failures: list[str] = []
    done = [0]
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            for i in range(PER_CLIENT):
                path = list(expected)[(number * PER_CLIENT + i) % len(expected)]
                try:
                    connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
                    response = connection.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        failures.append(f"{path}: {type(exc).__name__}: {exc}")
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    continue
                with lock:
                    if response.status != 200:
                        failures.append(f"{path}: HTTP {response.status} {body[:200]!r}")
                    elif json.loads(body) != expected[path]:
                        failures.append(f"{path}: answer differs from the in-process answer")
                    done[0] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert done[0] == CLIENTS * PER_CLIENT >= 300
