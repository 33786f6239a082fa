"""Build: load the records, check completeness, validate with SHACL and write the graph."""
