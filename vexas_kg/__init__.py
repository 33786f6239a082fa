"""vexas-kg: an evidence knowledge graph of VEXAS syndrome treatment.

The library API lives in the subpackages: ``vexas_kg.loaders`` (records to triples),
``vexas_kg.graph`` (build, validate, store, query, export) and ``vexas_kg.queries``
(named SPARQL queries). ``vexas_kg.cli`` is a thin command line over them.
"""

from vexas_kg.errors import VexasKGError

__version__ = "0.1.0"
__all__ = ["VexasKGError", "__version__"]
