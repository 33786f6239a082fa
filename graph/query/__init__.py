"""Query: engines, named queries with bound parameters, result formats and provenance trails."""
