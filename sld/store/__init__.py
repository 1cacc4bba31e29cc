"""The result database: SQLite by default, PostgreSQL too.

    engine = open_database("sqlite:///sld.db")
    document_id = save_document(engine, document, graphs, detector="template", ocr="pdf-text")
    document = load_document(engine, document_id)        # or by its source path
    graphs = load_graphs(engine, document_id)            # one networkx.Graph per page
    review_id = save_review(engine, corrected, graphs, review)  # a person's corrections

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
    StoredSource,
    load_document,
    load_graphs,
    save_document,
    stored_sha256s,
    stored_sources,
)
from sld.store.reviews import (
    CorrectionRecord,
    Review,
    ReviewState,
    StaleReviewError,
    load_by_sha256,
    record_learned,
    review_state,
    save_review,
    stored_documents,
)
from sld.store.tables import DATABASE_SCHEMA_VERSION, GRAPH_NODE_KINDS

__all__ = [
    "DATABASE_SCHEMA_VERSION",
    "GRAPH_NODE_KINDS",
    "CorrectionRecord",
    "DatabaseUnavailableError",
    "DocumentKey",
    "DocumentNotFoundError",
    "Review",
    "ReviewState",
    "SchemaVersionError",
    "StaleReviewError",
    "StoredSource",
    "ddl",
    "load_by_sha256",
    "load_document",
    "load_graphs",
    "open_database",
    "record_learned",
    "review_state",
    "save_document",
    "save_review",
    "stored_documents",
    "stored_sha256s",
    "stored_sources",
    "write_schemas",
]
