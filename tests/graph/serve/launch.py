"""Start the real endpoint in this process over an N-Triples file (tests start it as a child process).

``python launch.py GRAPH.nt [--timeout S] [--memory MIB] [--workers N] [--no-cors]`` prints
``ready http://HOST:PORT`` once it answers. The CLI does the same after a checked build;
reading a prepared file only saves the tests that build.
"""

from __future__ import annotations

import argparse
import sys

from rdflib import Graph

from vexas_kg.graph.serve.app import Settings
from vexas_kg.graph.serve.evaluator import Limits
from vexas_kg.graph.serve.server import run_endpoint


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("graph")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--memory", type=int, default=2048)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-cors", action="store_true")
    args = parser.parse_args()
    graph = Graph().parse(args.graph, format="nt")
    settings = Settings(timeout_s=args.timeout, workers=args.workers, limits=Limits(memory_mb=args.memory),
                        cors=not args.no_cors)

    def ready(url: str) -> None:
        print(f"ready {url}", flush=True)

    run_endpoint(graph, "127.0.0.1", 0, settings, (), ready)


if __name__ == "__main__":
    sys.exit(main())
