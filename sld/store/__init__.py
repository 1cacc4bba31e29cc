"""The result database: SQLite by default, PostgreSQL too.

    engine = open_database("sqlite:///sld.db")
    document_id = save_document(engine, document, graphs, detector="template", ocr="pdf-text")
    document = load_document(engine, document_id)        # or by its source path
    graphs = load_graphs(engine, document_id)            # one networkx.Graph per page

Tables: see `sld.store.tables`; the generated SQL is in `schemas/database.sql`.
"""

from sld.store.database import (
    DatabaseUnavailableError,
    SchemaVersionError,
    open_database,
)
from sld.store.ddl import ddl, write_schemas
from sld.store.documents import (
    DocumentKey,
    DocumentNotFoundError,
    load_document,
    load_graphs,
    save_document,
    stored_sha256s,
)
from sld.store.tables import DATABASE_SCHEMA_VERSION, GRAPH_NODE_KINDS

__all__ = [
    "DATABASE_SCHEMA_VERSION",
    "GRAPH_NODE_KINDS",
    "DatabaseUnavailableError",
    "DocumentKey",
    "DocumentNotFoundError",
    "SchemaVersionError",
    "ddl",
    "load_document",
    "load_graphs",
    "open_database",
    "save_document",
    "stored_sha256s",
    "write_schemas",
]
