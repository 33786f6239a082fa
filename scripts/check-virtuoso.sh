#!/usr/bin/env bash
# Check vexas-kg against Virtuoso (Debian package virtuoso-opensource) with the same protocols as Oxigraph:
# push the checked graph with the Graph Store Protocol, read it back, then run every named query through
# the SPARQL endpoint and compare the rows with the local engine.
#
# Not part of the test suite (it needs a system package): run it by hand, as root or any user, with
#   sudo apt-get install virtuoso-opensource   # once
#   bash scripts/check-virtuoso.sh
# It starts a private Virtuoso on free loopback ports in a temporary folder and removes it afterwards;
# the system's own Virtuoso service (if any) is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
command -v virtuoso-t >/dev/null || { echo "virtuoso-t not found: apt-get install virtuoso-opensource" >&2; exit 2; }
command -v isql-vt >/dev/null || { echo "isql-vt not found: apt-get install virtuoso-opensource" >&2; exit 2; }

work=$(mktemp -d /tmp/vexas-kg-virtuoso.XXXXXX)
sql_port=$($PY -c 'from vexas_kg.graph.serve.server import free_port; print(free_port())')
http_port=$($PY -c 'from vexas_kg.graph.serve.server import free_port; print(free_port())')
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    isql-vt "127.0.0.1:$sql_port" dba dba exec="shutdown;" >/dev/null 2>&1 || kill "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

sed -e "s#/var/lib/virtuoso-opensource-7/db#$work#g" \
    -e "s#^ServerPort *= *1111#ServerPort = 127.0.0.1:$sql_port#" \
    -e "s#^ServerPort *= *8890#ServerPort = 127.0.0.1:$http_port#" \
    /etc/virtuoso-opensource-7/virtuoso.ini > "$work/virtuoso.ini"
virtuoso-t +foreground +configfile "$work/virtuoso.ini" > "$work/stdout.log" 2>&1 &
pid=$!

for _ in $(seq 1 120); do
  if curl -s -o /dev/null "http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D"; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "Virtuoso exited at start:" >&2; tail -20 "$work/stdout.log" >&2; exit 4; }
  sleep 0.5
done
virtuoso_version=$(virtuoso-t -? 2>&1 | head -2 | tail -1 || true)
echo "Virtuoso running on 127.0.0.1:$http_port ($virtuoso_version)"

# A private test instance: let the anonymous SPARQL user write, so the plain Graph Store Protocol works.
isql-vt "127.0.0.1:$sql_port" dba dba exec='grant SPARQL_UPDATE to "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('"'"'nobody'"'"', 7);' >/dev/null

graph=https://w3id.org/vexas-kg/id/graph/vexas-kg
status=0
if ! .venv/bin/vexas-kg push --endpoint "http://127.0.0.1:$http_port/sparql-graph-crud" --graph "$graph" 2>"$work/push.err"; then
  status=1
  echo "push: FAILED (the store does not give back what was sent):"
  grep '^error:' "$work/push.err"
fi

$PY - "http://127.0.0.1:$http_port" "$graph" <<'EOF_PY' || status=1
"""What Virtuoso changed in the graph, then every named query on Virtuoso vs the local default engine."""
import logging
import sys
from collections import Counter

from vexas_kg.graph.builder.pipeline import checked_build
from vexas_kg.graph.query.named import LabelIndex, engine_for, run_named
from vexas_kg.graph.remote.client import RemoteEngine, fetch_graph, put_graph
from vexas_kg.graph.store.serialize import to_ntriples
from vexas_kg.graph.store.oxigraph import fold_literal, fold_numbers
from vexas_kg.queries import catalog

logging.disable(logging.CRITICAL)  # rdflib logs every literal it cannot convert
base, graph = sys.argv[1], sys.argv[2]
build = checked_build()
put_graph(f"{base}/sparql-graph-crud", graph, build.graph)
back = fetch_graph(f"{base}/sparql-graph-crud", graph)
sent = set(to_ntriples(fold_numbers(build.graph)).splitlines())
got = set(to_ntriples(fold_numbers(back)).splitlines())
changed = sorted(sent - got)
numbers = len(set(to_ntriples(build.graph).splitlines()) - set(to_ntriples(back).splitlines())) - len(changed)
print(f"graph: {len(build.graph)} triples sent, {len(back)} read back; {numbers} differ only in the lexical "
      f"form of a number, {len(changed)} differ beyond that")
for line in changed[:3]:
    print(f"  sent      {line}")
    key = line.rsplit(" ", 2)[0].rsplit(" ", 1)[0]
    for other in sorted(got - sent):
        if other.startswith(key):
            print(f"  read back {other}")
            break
labels = LabelIndex.from_graph(build.graph)
local, remote = engine_for(build.graph), RemoteEngine(f"{base}/sparql", timeout_s=60, default_graphs=[graph])
# Every named query without parameters, and each with the example values of docs/queries.md.
RUNS = [(name, {}) for name, query in catalog().items() if not any(p.required for p in query.parameters)] + [
    ("alternatives-after-failure", {"drug": "ruxolitinib"}),
    ("comparative-efficacy", {"intervention": "tofacitinib"}),
    ("comparative-efficacy", {"outcome": "overall response", "timepoint": "6 months"}),
    ("safety-profile", {"intervention": "tofacitinib"}),
    ("provenance-trail", {"item": "000:azacitidine-overall-response-6m"}),
    ("study-summary", {"study": "study/uk-cohort"}),
    ("treatment-for-presentation", {"manifestation": ("episcleritis", "venous thromboembolism")}),
    ("citation-audit", {"document": "001"}),
]
failures = 0
fold = lambda table: Counter(tuple(map(fold_literal, row)) for row in table.rows)
for name, params in RUNS:
    shown_params = " ".join(f"{k}={v}" for k, v in params.items())
    title = f"{name} {shown_params}".strip()
    mine = run_named(name, params, local, labels)
    try:
        theirs = run_named(name, params, remote, labels)
    except Exception as exc:  # report every query, whatever one of them does to the store
        failures += 1
        print(f"FAIL  {title}: {str(exc).splitlines()[0][:300]}")
        continue
    same = fold(mine) == fold(theirs)
    failures += not same
    print(f"{'same' if same else 'DIFF'}  {title}: {len(theirs.rows)} rows on Virtuoso, {len(mine.rows)} locally")
    if not same:
        for side, only in (("only locally", fold(mine) - fold(theirs)), ("only on Virtuoso", fold(theirs) - fold(mine))):
            for row in sorted(only, key=str)[:1]:
                shown = {c: str(v) for c, v in zip(mine.columns, row) if v is not None}
                print(f"      {side}: {shown}")
sys.exit(1 if failures or changed else 0)
EOF_PY
if [ "$status" -eq 0 ]; then echo "Virtuoso check passed"; else echo "Virtuoso check FAILED (see above)"; fi
exit "$status"
