"""Loaders: pure functions from one kind of source to triples (the build does the I/O)."""
