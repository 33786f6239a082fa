"""Serve: the read-only SPARQL endpoint."""
