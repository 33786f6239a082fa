"""Storage: canonical serialisation, parsing and in-process Oxigraph stores."""
