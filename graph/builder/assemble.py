"""Load every curated record, resolve cross-references, and assemble the graph.

The I/O of the build lives here: it reads the evidence folder (the packaged one by
default, or any folder of the same layout), hands each file to its pure loader, and
checks that everything a record refers to is defined somewhere.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Callable, Iterable, Protocol, Union

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from vexas_kg.errors import Location, RecordError
from vexas_kg.model import Triple
from vexas_kg.graph.store.oxigraph import parse_turtle
from vexas_kg.graph.builder.consistency import check_arms_disjoint, evidence_only_identifiers
from vexas_kg.loaders.entities import EntityTable, load_entities
from vexas_kg.loaders.evidence import Loaded, Need, RecordTriple, load_record
from vexas_kg.loaders.publications import load_publications
from vexas_kg.loaders.source_text import SourceText
from vexas_kg.loaders.strict_text import decode_strict
from vexas_kg.loaders.yaml_strict import Mapping, Scalar, Value, read_yaml
from vexas_kg.ontology import read_text
from vexas_kg.ontology.vocab import VX

Folder = Union[Path, Traversable]


def packaged_evidence() -> Traversable:
    """The evidence folder shipped inside the package."""
    return files("vexas_kg.evidence")


@dataclass
class Build:
    """Everything a build reads and checks: its triples, and what went into them.

    The triples are a plain set; the rdflib ``graph`` is filled from them only when first
    asked for. ``vexas-kg build`` never asks: it serialises the set and hands it to its
    validation worker, so the main process does not pay for filling a store.
    """

    triples: set[Triple]
    """Every triple of the build, the vocabulary included."""
    ontology: Graph
    """The vocabulary as shipped (its triples are in ``triples`` too)."""
    records: list[Loaded] = field(default_factory=list)
    sources: dict[str, SourceText] = field(default_factory=dict)
    asserted: dict[str, set[Triple]] = field(default_factory=dict)
    """Per document id: the triples its record asserts, references resolved."""

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib graph (filled on first use; treat as read-only)."""
        return graph_of(self.triples)

    def summary(self) -> dict[str, int]:
        """Counts per class, for the build report."""
        return class_counts(self.triples)


def class_counts(triples: Iterable[Triple]) -> dict[str, int]:
    """How many instances each vocabulary class has, by class name."""
    namespace = str(VX._NS)
    counts = Counter(o for _, p, o in triples if p == RDF.type and str(o).startswith(namespace))
    return {str(cls)[len(namespace):]: n for cls, n in sorted(counts.items(), key=lambda kv: str(kv[0]))}


def graph_of(triples: Iterable[Triple]) -> Graph:
    """An rdflib graph holding ``triples``."""
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def _read(folder: Folder, *parts: str) -> tuple[str, str]:
    path = folder.joinpath(*parts)
    name = "/".join(parts)
    if not path.is_file():
        raise RecordError(f"missing file {name}", Location(name))
    return read_checked(path, name), name


def read_checked(path: Folder, name: str) -> str:
    """A file's text: size-bounded, strict UTF-8; an unreadable file is a RecordError naming it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecordError(f"cannot read the file: {exc.strerror or exc}", Location(name)) from None
    return decode_strict(data, name)


def read_source(folder: Folder, source_name: str) -> SourceText:
    """A source text of ``folder``, checked against the folder's ``sources/SHA256SUMS``."""
    name = f"sources/{source_name}"
    try:
        data = folder.joinpath("sources", source_name).read_bytes()
    except OSError as exc:
        raise RecordError(f"cannot read the file: {exc.strerror or exc}", Location(name)) from None
    pinned = pinned_hashes(folder).get(source_name)
    actual = hashlib.sha256(data).hexdigest()
    if pinned is None:
        raise RecordError(f"{source_name} is not listed in sources/SHA256SUMS; every source text is pinned",
                          Location("sources/SHA256SUMS"))
    if pinned != actual:
        raise RecordError(f"the source text has changed: SHA256SUMS pins {pinned}, the file hashes to {actual}",
                          Location(name))
    return SourceText(source_name, decode_strict(data, name))


def pinned_hashes(folder: Folder) -> dict[str, str]:
    """``sources/SHA256SUMS`` of ``folder`` (``sha256sum`` format) as file name -> hash."""
    text, name = _read(folder, "sources", "SHA256SUMS")
    pinned: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-f]{64}", parts[0]):
            raise RecordError("expected '<sha256>  <file name>'", Location(name, number))
        pinned[parts[1].lstrip("*")] = parts[0]
    return pinned


def load_entity_table(evidence: Folder) -> EntityTable:
    text, name = _read(evidence, "entities.yaml")
    tsv, tsv_name = _read(evidence, "reference", "identifiers.tsv")
    return load_entities(read_yaml(text, name), name, tsv, tsv_name)


def record_files(evidence: Folder) -> list[str]:
    records = evidence.joinpath("records")
    return sorted(p.name for p in records.iterdir() if p.name.endswith(".yaml"))


def load_one(evidence: Folder, record_name: str, entities: EntityTable) -> tuple[Loaded, SourceText]:
    """Read one record of ``evidence`` and the source text it names, and load it."""
    text, name = _read(evidence, "records", record_name)
    return load_record_text(text, name, [evidence], entities)


def load_record_text(text: str, name: str, folders: list[Folder], entities: EntityTable) -> tuple[Loaded, SourceText]:
    """Load record ``text``; its source file is looked up in ``sources/`` of each folder in turn."""
    tree = read_yaml(text, name)
    source_name, line = source_name_of(tree, name)
    for folder in folders:
        path = folder.joinpath("sources", source_name)
        if "/" not in source_name and path.is_file():
            source = read_source(folder, source_name)
            return load_record(tree, name, source, entities.index), source
    raise RecordError(f"the source file {source_name!r} does not exist in sources/", Location(name, line, "document.source"))


def source_name_of(tree: Value, name: str) -> tuple[str, int]:
    """The ``document.source`` of a parsed record, read before the record is loaded."""
    document = tree.items.get("document") if isinstance(tree, Mapping) else None
    source = document.items.get("source") if isinstance(document, Mapping) else None
    if not isinstance(source, Scalar):
        line = document.line if isinstance(document, Mapping) else 1
        raise RecordError("missing required field 'source'", Location(name, line, "document.source"))
    return source.text, source.line


Provides = dict[tuple[str, str], tuple[URIRef, Location]]
"""What the build defines, by (kind, key): the IRI and where it is defined."""


class Defines(Protocol):
    """What the reference checks read of a record (a ``Loaded``, or the incremental build's summary of one)."""

    doc_id: str
    provides: Provides
    needs: list[Need]


def gather_provides(records: Iterable[Defines], publications: dict[str, URIRef], pub_name: str) -> Provides:
    """Everything the records (in document id order) and the publication table define; a second definition fails."""
    provides: Provides = {("publication", key): (iri, Location(pub_name)) for key, iri in publications.items()}
    for loaded in records:
        for key, (iri, location) in loaded.provides.items():
            if key[0] == "reference":
                continue
            if key in provides:
                raise RecordError(f"{key[0]} {key[1]!r} is defined twice (also at {provides[key][1]})", location)
            provides[key] = (iri, location)
    return provides


def check_needs(records: Iterable[Defines], provides: Provides) -> None:
    """Fail on the first reference (records in order) to something nothing defines, with close matches."""
    for loaded in records:
        for need in loaded.needs:
            if (need.kind, need.key) not in provides:
                known = [k for kind, k in provides if kind == need.kind]
                close = difflib.get_close_matches(need.key, known, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise RecordError(f"unknown {need.kind} {need.key!r}{hint}", need.location)


def resolved(triples: Iterable[RecordTriple], provides: Provides) -> set[Triple]:
    """A record's triples with each (kind, key) reference replaced by the IRI it names (``check_needs`` first)."""
    out: set[Triple] = set()
    for s, p, o in triples:
        if isinstance(s, tuple):
            s = provides[(s[0], s[1])][0]
        if isinstance(o, tuple):
            o = provides[(o[0], o[1])][0]
        out.add((s, p, o))
    return out


def arm_locations(provides: Provides) -> dict[URIRef, Location]:
    """Where each arm is defined, for ``check_arms_disjoint``'s message."""
    return {iri: loc for (kind, _), (iri, loc) in provides.items() if kind == "arm"}


Loader = Callable[[Folder, str, EntityTable], tuple[Loaded, SourceText]]
"""Reads and loads one record of an evidence folder: ``load_one``, or a cache in front of it."""


def build_graph(evidence: Folder | None = None, replacements: list[Path] | None = None, *,
                load: Loader = load_one) -> Build:
    """Load all records of ``evidence`` (default: the packaged folder) and resolve their references.

    ``replacements`` are record files from elsewhere (``vexas-kg validate FILE``): each one
    replaces the record of the same document id, or is added if the id is new. Its source
    text is looked up beside it (``../sources``) first, then in ``evidence``. ``load`` reads
    each record of ``evidence`` (the incremental build passes its cache).
    """
    evidence = evidence if evidence is not None else packaged_evidence()
    entities = load_entity_table(evidence)
    pub_tsv, pub_name = _read(evidence, "reference", "publications.tsv")
    publications, pub_triples = load_publications(pub_tsv, pub_name)
    ontology = parse_turtle(read_text("vexas.ttl"))
    result = Build(set(ontology), ontology)
    result.triples.update(entities.triples + pub_triples)
    loaded_by_id: dict[str, tuple[Loaded, SourceText, str]] = {}
    for record_name in record_files(evidence):
        loaded, source = load(evidence, record_name, entities)
        if loaded.doc_id in loaded_by_id:
            raise RecordError(f"document id {loaded.doc_id!r} is already used by {loaded_by_id[loaded.doc_id][2]}",
                              Location(f"records/{record_name}", 0, "document.id"))
        loaded_by_id[loaded.doc_id] = (loaded, source, f"records/{record_name}")
    for path in replacements or []:
        loaded, source = load_record_text(read_checked(path, str(path)), str(path), [path.parent.parent, evidence],
                                          entities)
        loaded_by_id[loaded.doc_id] = (loaded, source, str(path))
    provides = gather_provides([loaded_by_id[doc_id][0] for doc_id in sorted(loaded_by_id)], publications, pub_name)
    for doc_id in sorted(loaded_by_id):
        loaded, source, _ = loaded_by_id[doc_id]
        result.records.append(loaded)
        result.sources[doc_id] = source
    check_needs(result.records, provides)
    for loaded in result.records:
        asserted = result.asserted[loaded.doc_id] = resolved(loaded.triples, provides)
        result.triples.update(asserted)
    check_arms_disjoint(result.triples, arm_locations(provides))
    kept = evidence_only_identifiers(result.triples)
    result.triples.intersection_update(kept)
    return result
