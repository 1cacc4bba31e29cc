"""The result database's tables, written as SQLAlchemy 2 typed ORM classes.

Read this module as the table definitions. One document result is spread over these tables:

    documents ─┬─ pages ─┬─ components   one row per component, ratings as numeric columns
               │         ├─ texts        one row per label line, `component_id` links it
               │         ├─ connections  component pairs joined by a conductor
               │         ├─ graph_nodes  the page's connectivity graph: components, buses,
               │         └─ graph_edges  junctions and terminals, and the wires between them
    reviews ─── corrections              what a person changed, who and when (`sld corrections`)
    alembic_version                      the migration revision the database is at

Rows that belong to a page reference it by `(document_id, page_index)` with ON DELETE CASCADE, so
deleting a document removes everything it owns. References between results (a text's component, a
connection's components, a graph node's component, an edge's nodes) use the result's own string ids
(`p0-c3`) and are plain foreign keys: deleting a component that is still referenced fails.

A component's ratings are stored twice on purpose: as numeric columns, so SQL can filter
(`WHERE power_kva > 1000`), and as the full JSON object, which `load_document` reads so that a
document comes back exactly as it was saved (the voltage list may hold more than two values).

Reviews are kept apart from the result they corrected: a review names its document by path and
sha256, not by foreign key, because digitising a file again replaces every row of its result and
a person's corrections must outlive that. `documents.reviewed_at` and `pages.accepted_at` say
whether the rows there now are the reviewed ones; they go when the result is replaced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine


class SavedAt(FunctionElement[datetime]):
    """The time a row is written, as the database's own default.

    Not `func.now()`: Prefect's server compiles that construct its own way on SQLite once it is
    imported, which would make the DDL (and `schemas/database.sql`) depend on whether Prefect
    was loaded in the process.
    """

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(SavedAt)
def _saved_at_default(element: SavedAt, compiler: SQLCompiler, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(SavedAt, "postgresql")
def _saved_at_postgresql(element: SavedAt, compiler: SQLCompiler, **kw: Any) -> str:
    return "now()"


#: The node kinds of the connectivity graph (the connectivity stage's convention).
GRAPH_NODE_KINDS: tuple[str, ...] = ("component", "bus", "junction", "terminal")


def _json() -> TypeEngine[Any]:
    """JSON text on SQLite; JSONB on PostgreSQL, so `ratings->>'voltage_v'` and GIN indexes work."""
    return JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def _page_reference(table: str) -> ForeignKeyConstraint:
    """A row owned by a page: it goes when its page (and so its document) goes."""
    return ForeignKeyConstraint(
        ["document_id", "page_index"],
        ["pages.document_id", "pages.page_index"],
        ondelete="CASCADE",
        name=f"fk_{table}_page",
    )


def _component_reference(table: str, column: str) -> ForeignKeyConstraint:
    """A reference to a component of the same document by its result id (e.g. 'p0-c3')."""
    return ForeignKeyConstraint(
        ["document_id", column],
        ["components.document_id", "components.component_id"],
        name=f"fk_{table}_{column}",
    )


class Base(DeclarativeBase):
    pass


class OnPage:
    """The leading columns of every row that belongs to one page of one stored document."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-3)
    document_id: Mapped[int] = mapped_column(Integer, sort_order=-2)
    page_index: Mapped[int] = mapped_column(Integer, sort_order=-1)


class DocumentRow(Base):
    """One drawing: its content (`sha256`) and the resolved path it was last digitised from.

    Both are unique, so a file digitised again replaces its rows, and one drawing found at two
    paths is one document (under the later path). The columns after `ocr` say how the result
    was made (what the nightly re-digitisation compares) and which JSON file holds it.
    """

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    page_count: Mapped[int] = mapped_column(Integer)
    schema_version: Mapped[int] = mapped_column(Integer)
    detector: Mapped[str | None] = mapped_column(Text)
    ocr: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=SavedAt())
    # Set when a person's corrections were applied to the result these rows hold (NULL: not).
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    #: `sld.pipeline.PIPELINE_VERSION` of the run that made the rows.
    pipeline_version: Mapped[str | None] = mapped_column(Text)
    #: The settings that shape a result (`sld.store.provenance.result_settings`), and their hash.
    settings: Mapped[dict[str, Any] | None] = mapped_column(_json())
    settings_digest: Mapped[str | None] = mapped_column(String(64))
    #: The JSON result written from these rows, and the SHA-256 of its bytes.
    json_path: Mapped[str | None] = mapped_column(Text)
    json_sha256: Mapped[str | None] = mapped_column(String(64))
    #: When the rows were last written (`created_at` is when the document was first stored).
    digitised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PageRow(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "page_index", name="uq_pages_page"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    page_index: Mapped[int] = mapped_column(Integer)
    width: Mapped[float] = mapped_column(Double)
    height: Mapped[float] = mapped_column(Double)
    # Set when a person accepted the page as right (after any corrections); NULL: not yet.
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[str | None] = mapped_column(Text)


class ComponentRow(OnPage, Base):
    __tablename__ = "components"
    __table_args__ = (
        _page_reference("components"),
        UniqueConstraint("document_id", "component_id", name="uq_components_component"),
        Index("ix_components_page", "document_id", "page_index"),
        Index("ix_components_type", "type"),
        Index("ix_components_name", "name"),
    )

    component_id: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    x0: Mapped[float] = mapped_column(Double)
    y0: Mapped[float] = mapped_column(Double)
    x1: Mapped[float] = mapped_column(Double)
    y1: Mapped[float] = mapped_column(Double)
    score: Mapped[float] = mapped_column(Double)
    name: Mapped[str | None] = mapped_column(Text)
    # Ratings, one numeric column each (NULL: unknown), for filtering in SQL.
    voltage_primary_v: Mapped[float | None] = mapped_column(Double)
    voltage_secondary_v: Mapped[float | None] = mapped_column(Double)
    current_a: Mapped[float | None] = mapped_column(Double)
    power_kva: Mapped[float | None] = mapped_column(Double)
    power_kw: Mapped[float | None] = mapped_column(Double)
    power_hp: Mapped[float | None] = mapped_column(Double)
    impedance_pct: Mapped[float | None] = mapped_column(Double)
    frequency_hz: Mapped[float | None] = mapped_column(Double)
    poles: Mapped[int | None] = mapped_column(Integer)
    phases: Mapped[int | None] = mapped_column(Integer)
    # The full ratings object exactly as in the result: what `load_document` reads back.
    ratings: Mapped[dict[str, Any]] = mapped_column(_json())


class TextRow(OnPage, Base):
    __tablename__ = "texts"
    __table_args__ = (
        _page_reference("texts"),
        _component_reference("texts", "component_id"),
        UniqueConstraint("document_id", "text_id", name="uq_texts_text"),
        Index("ix_texts_page", "document_id", "page_index"),
        Index("ix_texts_component", "document_id", "component_id"),
    )

    text_id: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    x0: Mapped[float] = mapped_column(Double)
    y0: Mapped[float] = mapped_column(Double)
    x1: Mapped[float] = mapped_column(Double)
    y1: Mapped[float] = mapped_column(Double)
    score: Mapped[float] = mapped_column(Double)
    component_id: Mapped[str | None] = mapped_column(Text)


class ConnectionRow(OnPage, Base):
    """An unordered pair of components joined by a conductor: the graph projected on components."""

    __tablename__ = "connections"
    __table_args__ = (
        _page_reference("connections"),
        _component_reference("connections", "component_a_id"),
        _component_reference("connections", "component_b_id"),
        Index("ix_connections_page", "document_id", "page_index"),
        Index("ix_connections_component_a", "document_id", "component_a_id"),
        Index("ix_connections_component_b", "document_id", "component_b_id"),
    )

    component_a_id: Mapped[str] = mapped_column(Text)
    component_b_id: Mapped[str] = mapped_column(Text)


class GraphNodeRow(OnPage, Base):
    """A node of a page's connectivity graph; `attributes` holds any beyond these columns."""

    __tablename__ = "graph_nodes"
    __table_args__ = (
        _page_reference("graph_nodes"),
        _component_reference("graph_nodes", "component_id"),
        UniqueConstraint("document_id", "page_index", "node_id", name="uq_graph_nodes_node"),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in GRAPH_NODE_KINDS) + ")",
            name="ck_graph_nodes_kind",
        ),
        Index("ix_graph_nodes_component", "document_id", "component_id"),
    )

    node_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    x: Mapped[float] = mapped_column(Double)
    y: Mapped[float] = mapped_column(Double)
    label: Mapped[str | None] = mapped_column(Text)
    component_id: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(_json())


class GraphEdgeRow(OnPage, Base):
    """An edge (wire or bus segment) between two nodes of the same page's graph."""

    __tablename__ = "graph_edges"
    __table_args__ = (
        _page_reference("graph_edges"),
        ForeignKeyConstraint(
            ["document_id", "page_index", "source_node_id"],
            ["graph_nodes.document_id", "graph_nodes.page_index", "graph_nodes.node_id"],
            name="fk_graph_edges_source",
        ),
        ForeignKeyConstraint(
            ["document_id", "page_index", "target_node_id"],
            ["graph_nodes.document_id", "graph_nodes.page_index", "graph_nodes.node_id"],
            name="fk_graph_edges_target",
        ),
        Index("ix_graph_edges_page", "document_id", "page_index"),
        Index("ix_graph_edges_source", "document_id", "page_index", "source_node_id"),
        Index("ix_graph_edges_target", "document_id", "page_index", "target_node_id"),
    )

    source_node_id: Mapped[str] = mapped_column(Text)
    target_node_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(_json())


#: What a person can do to a result on its review page (`sld.review.corrections`).
CORRECTION_ACTIONS: tuple[str, ...] = (
    "retype",
    "delete",
    "add",
    "move",
    "relink",
    "rename",
    "rate",
    "accept_page",
)


class ReviewRow(Base):
    """One applied corrections file: who reviewed which result, and the result before and after.

    `result_before` is what the database held before this review (the machine's result, or an
    earlier review's); `result_after` is what the review left. Both are full result documents
    (the JSON format), so the history survives the document being digitised again.
    """

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_document", "document_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_path: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=SavedAt())
    corrections_file: Mapped[str | None] = mapped_column(Text)
    result_before: Mapped[dict[str, Any]] = mapped_column(_json())
    result_after: Mapped[dict[str, Any]] = mapped_column(_json())
    # Exemplar files that `--learn` wrote into the user's symbol library from this review.
    learned: Mapped[list[str] | None] = mapped_column(_json())


class CorrectionRow(Base):
    """One change a person made: the item as it was (`before`) and as they left it (`after`)."""

    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint(
            "action IN (" + ", ".join(f"'{action}'" for action in CORRECTION_ACTIONS) + ")",
            name="ck_corrections_action",
        ),
        Index("ix_corrections_review", "review_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    page_index: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(Text)
    # The component or text the correction is about (NULL for accept_page).
    target_id: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(_json())
    after: Mapped[dict[str, Any] | None] = mapped_column(_json())
    made_by: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: Views for people who query the database directly. Plain SQL that SQLite and PostgreSQL both run.
VIEWS: dict[str, str] = {
    "component_ratings": """
SELECT d.id AS document_id, d.path, d.sha256, c.page_index, c.component_id, c.type, c.name,
       c.score, c.voltage_primary_v, c.voltage_secondary_v, c.current_a, c.power_kva, c.power_kw,
       c.power_hp, c.impedance_pct, c.frequency_hz, c.poles, c.phases
FROM components AS c
JOIN documents AS d ON d.id = c.document_id""",
    "component_connections": """
SELECT d.id AS document_id, d.path, k.page_index,
       a.component_id AS component_a_id, a.type AS component_a_type, a.name AS component_a_name,
       b.component_id AS component_b_id, b.type AS component_b_type, b.name AS component_b_name
FROM connections AS k
JOIN documents AS d ON d.id = k.document_id
JOIN components AS a ON a.document_id = k.document_id AND a.component_id = k.component_a_id
JOIN components AS b ON b.document_id = k.document_id AND b.component_id = k.component_b_id""",
    "document_summary": """
SELECT d.id AS document_id, d.path, d.sha256, d.page_count, d.detector, d.ocr, d.created_at,
       d.reviewed_at, d.reviewed_by,
       (SELECT count(*) FROM components AS c WHERE c.document_id = d.id) AS component_count,
       (SELECT count(*) FROM texts AS t WHERE t.document_id = d.id) AS text_count,
       (SELECT count(*) FROM connections AS k WHERE k.document_id = d.id) AS connection_count
FROM documents AS d""",
}
