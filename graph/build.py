"""Load every curated record, resolve cross-references, and assemble the graph.

The I/O of the build lives here: it reads the evidence folder (the packaged one by
default, or any folder of the same layout), hands each file to its pure loader, and
checks that everything a record refers to is defined somewhere.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Union

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from vexas_kg.errors import Location, RecordError
from vexas_kg.loaders.entities import EntityTable, load_entities
from vexas_kg.loaders.evidence import Loaded, load_record
from vexas_kg.loaders.publications import load_publications
from vexas_kg.loaders.source_text import SourceText
from vexas_kg.loaders.yaml_strict import read_yaml
from vexas_kg.ontology import read_text
from vexas_kg.ontology.vocab import VX

Folder = Union[Path, Traversable]


def packaged_evidence() -> Traversable:
    """The evidence folder shipped inside the package."""
    return files("vexas_kg.evidence")


@dataclass
class Build:
    """The assembled graph and what went into it."""

    graph: Graph
    records: list[Loaded] = field(default_factory=list)
    sources: dict[str, SourceText] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        """Counts per class, for the build report."""
        counts = Counter(o for o in self.graph.objects(None, RDF.type) if str(o).startswith(str(VX._NS)))
        return {str(cls)[len(str(VX._NS)):]: n for cls, n in sorted(counts.items(), key=lambda kv: str(kv[0]))}


def _read(folder: Folder, *parts: str) -> tuple[str, str]:
    path = folder.joinpath(*parts)
    name = "/".join(parts)
    if not path.is_file():
        raise RecordError(f"missing file {name}", Location(name))
    return path.read_text(encoding="utf-8"), name


def load_entity_table(evidence: Folder) -> EntityTable:
    text, name = _read(evidence, "entities.yaml")
    tsv, tsv_name = _read(evidence, "reference", "identifiers.tsv")
    return load_entities(read_yaml(text, name), name, tsv, tsv_name)


def record_files(evidence: Folder) -> list[str]:
    records = evidence.joinpath("records")
    return sorted(p.name for p in records.iterdir() if p.name.endswith(".yaml"))


def load_one(evidence: Folder, record_name: str, entities: EntityTable,
             sources: dict[str, SourceText] | None = None) -> tuple[Loaded, SourceText]:
    """Read one record and the source text it names, and load it."""
    text, name = _read(evidence, "records", record_name)
    tree = read_yaml(text, name)
    source_name, line = _source_name(tree, name)
    if sources is not None and source_name in sources:
        source = sources[source_name]
    else:
        path = evidence.joinpath("sources", source_name)
        if "/" in source_name or not path.is_file():
            raise RecordError(f"the source file {source_name!r} does not exist in sources/", Location(name, line, "document.source"))
        source = SourceText(source_name, path.read_text(encoding="utf-8"))
    return load_record(tree, name, source, entities.index), source


def _source_name(tree: object, name: str) -> tuple[str, int]:
    from vexas_kg.loaders.yaml_strict import Mapping, Scalar

    document = tree.items.get("document") if isinstance(tree, Mapping) else None
    source = document.items.get("source") if isinstance(document, Mapping) else None
    if not isinstance(source, Scalar):
        line = document.line if isinstance(document, Mapping) else 1
        raise RecordError("missing required field 'source'", Location(name, line, "document.source"))
    return source.text, source.line


def build_graph(evidence: Folder | None = None, include_ontology: bool = True) -> Build:
    """Load all records of ``evidence`` (default: the packaged folder) into one graph."""
    evidence = evidence if evidence is not None else packaged_evidence()
    entities = load_entity_table(evidence)
    pub_tsv, pub_name = _read(evidence, "reference", "publications.tsv")
    publications, pub_triples = load_publications(pub_tsv, pub_name)
    graph = Graph()
    if include_ontology:
        graph.parse(data=read_text("vexas.ttl"), format="turtle")
    for triple in entities.triples + pub_triples:
        graph.add(triple)
    result = Build(graph)
    provides: dict[tuple[str, str], tuple[URIRef, Location]] = {
        ("publication", key): (iri, Location(pub_name)) for key, iri in publications.items()
    }
    doc_ids: dict[str, str] = {}
    for record_name in record_files(evidence):
        loaded, source = load_one(evidence, record_name, entities)
        if loaded.doc_id in doc_ids:
            raise RecordError(f"document id {loaded.doc_id!r} is already used by {doc_ids[loaded.doc_id]}",
                              Location(f"records/{record_name}", 0, "document.id"))
        doc_ids[loaded.doc_id] = record_name
        for key, (iri, location) in loaded.provides.items():
            if key[0] in ("reference",):
                continue
            if key in provides:
                raise RecordError(f"{key[0]} {key[1]!r} is defined twice (also at {provides[key][1]})", location)
            provides[key] = (iri, location)
        result.records.append(loaded)
        result.sources[loaded.doc_id] = source
    for loaded in result.records:
        for need in loaded.needs:
            if (need.kind, need.key) not in provides:
                known = [k for kind, k in provides if kind == need.kind]
                close = difflib.get_close_matches(need.key, known, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise RecordError(f"unknown {need.kind} {need.key!r}{hint}", need.location)
        for s, p, o in loaded.triples:
            if isinstance(o, tuple):
                o = provides[(o[0], o[1])][0]
            graph.add((s, p, o))
    return result
