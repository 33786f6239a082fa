"""The evidence report: a static HTML site generated from the named queries' results."""
