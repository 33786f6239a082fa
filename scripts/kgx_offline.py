"""Run the KGX command line (`kgx validate`, `kgx transform`, ...) without the network.

KGX reads the Biolink model, its predicate mapping and three JSON-LD contexts from
GitHub when it is imported. This runner points it at local copies instead and then
hands the arguments to KGX's own command line unchanged:

- the Biolink model: ``biolink_model/schema/biolink_model.yaml`` from the
  ``biolink-model`` wheel (its ``linkml:types`` import is shipped by ``linkml-runtime``);
- the Biolink prefix map (KGX's ``biolink`` context): ``biolink_model_prefix_map.json``
  from the same wheel, plus the prefixes an export declares in its own prefix map
  (``--prefixes FILE``, a JSON-LD context; repeatable) — KGX has no option for that;
- the ``monarch_context`` and ``obo_context`` contexts: the copies in ``prefixcommons``;
- no predicate mapping (it maps qualifiers, which validation and transform do not use).

Usage::

    python scripts/kgx_offline.py [--prefixes out/vexas-kg_prefixes.jsonld] validate -i jsonl \\
        out/vexas-kg_nodes.jsonl out/vexas-kg_edges.jsonl

Exit code: KGX's.
"""

from __future__ import annotations

import json
import sys
from importlib.resources import files


def local_context(package: str, *path: str) -> dict:
    """A JSON-LD context (or plain prefix map) shipped inside an installed package."""
    data = json.loads(files(package).joinpath("/".join(path)).read_text(encoding="utf-8"))
    return data.get("@context", data)


def configure(declared: list[str]) -> None:
    """Point bmt and KGX at the local copies (must run before ``kgx`` is imported)."""
    import bmt.toolkit

    schema = str(files("biolink_model").joinpath("schema/biolink_model.yaml"))
    bmt.toolkit.Toolkit.__init__.__defaults__ = (schema, {"predicate mappings": []})

    import kgx.config

    kgx.config.get_config()
    biolink = local_context("biolink_model", "prefixmaps", "biolink_model_prefix_map.json")
    for path in declared:
        with open(path, encoding="utf-8") as handle:
            context = json.load(handle)
        biolink.update(context.get("@context", context))
    kgx.config.jsonld_context_map.update({
        "biolink": biolink,
        "monarch_context": local_context("prefixcommons", "registry", "monarch_context.jsonld"),
        "obo_context": local_context("prefixcommons", "registry", "obo_context.jsonld"),
    })


def main(argv: list[str]) -> None:
    declared = []
    while len(argv) >= 2 and argv[0] == "--prefixes":
        declared.append(argv[1])
        argv = argv[2:]
    configure(declared)
    from kgx.cli import cli

    cli.main(args=argv, prog_name="kgx")


if __name__ == "__main__":
    main(sys.argv[1:])
