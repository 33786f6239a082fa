"""A bound document restricts citation-audit everywhere it is placed (``with_values`` opens the
subqueries and ``MINUS { SELECT ... }`` parts that project ``?document``): on 30 generated documents
its answer for each document is exactly that document's rows of the whole answer, with VALUES
blocks and with pyoxigraph's own substitutions alike."""

from __future__ import annotations

from vexas_kg.graph.query.named import OxigraphEngine, named, run_query


def test_citation_audit_for_a_document_is_that_documents_part_of_the_whole_audit(corpora) -> None:
    build, engine, labels = corpora[30]
    query = named("citation-audit")
    whole = run_query(query, {}, engine, labels)
    column = whole.columns.index("document")
    substituting = OxigraphEngine(engine.store, engine.printed, binding="substitutions")
    documents = sorted(loaded.doc_id for loaded in build.records)
    assert len(documents) == 30
    flagged = 0
    for document in documents:
        own = run_query(query, {"document": document}, engine, labels)
        expected = tuple(row for row in whole.rows if str(row[column]).rsplit("/", 1)[-1] == document)
        assert own.rows == expected, document
        assert run_query(query, {"document": document}, substituting, labels).rows == expected, document
        flagged += bool(expected)
    assert flagged >= 20  # most generated documents have findings: the comparison is not vacuous
