"""The result database: SQLite by default, PostgreSQL too.

    engine = open_database("sqlite:///sld.db")
    document_id = save_document(engine, document, graphs, detector="template", ocr="pdf-text")
    document = load_document(engine, document_id)        # or by its source path
    graphs = load_graphs(engine, document_id)            # one networkx.Graph per page
    review_id = save_review(engine, corrected, graphs, review)  # a person's corrections

Tables: see `sld.store.tables`; migrations: `sld.store.migrate`; the generated SQL is in
`schemas/database.sql`.
"""

from sld.store.database import (
    DatabaseUnavailableError,
    SchemaVersionError,
    open_database,
    upgrade_database,
)
from sld.store.ddl import ddl, write_schemas
from sld.store.documents import (
    DocumentKey,
    DocumentNotFoundError,
    StoredDocument,
    StoredSource,
    document_records,
    load_document,
    load_graphs,
    save_document,
    stored_sources,
)
from sld.store.provenance import PIPELINE_VERSION, Provenance, result_settings
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
from sld.store.tables import GRAPH_NODE_KINDS

__all__ = [
    "GRAPH_NODE_KINDS",
    "PIPELINE_VERSION",
    "CorrectionRecord",
    "DatabaseUnavailableError",
    "DocumentKey",
    "DocumentNotFoundError",
    "Provenance",
    "Review",
    "ReviewState",
    "SchemaVersionError",
    "StaleReviewError",
    "StoredDocument",
    "StoredSource",
    "ddl",
    "document_records",
    "load_by_sha256",
    "load_document",
    "load_graphs",
    "open_database",
    "record_learned",
    "result_settings",
    "review_state",
    "save_document",
    "save_review",
    "stored_documents",
    "stored_sources",
    "upgrade_database",
    "write_schemas",
]
