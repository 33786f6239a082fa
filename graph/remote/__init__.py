"""Remote stores: SPARQL 1.1 Protocol queries, Graph Store Protocol push and logins."""
