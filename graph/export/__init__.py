"""Export: every file format other tools consume, and the networkx view."""
