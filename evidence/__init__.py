"""The curated evidence, shipped as package data: one record per source document
(``records/*.yaml``), the source texts they quote (``sources/``), the entity list
(``entities.yaml``) and the verified reference tables (``reference/``)."""
