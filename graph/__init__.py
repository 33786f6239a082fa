"""Build, validate, store, query and export the evidence graph."""
