"""The layout sld had before it had migrations: its `sld_schema` table says version 1.

A database made then is stamped with this revision by `sld db upgrade` and brought forward.
The views are written out here, not imported, so that this revision never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
       (SELECT count(*) FROM components AS c WHERE c.document_id = d.id) AS component_count,
       (SELECT count(*) FROM texts AS t WHERE t.document_id = d.id) AS text_count,
       (SELECT count(*) FROM connections AS k WHERE k.document_id = d.id) AS connection_count
FROM documents AS d""",
}


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("detector", sa.Text(), nullable=True),
        sa.Column("ocr", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("path"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "sld_schema",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("width", sa.Double(), nullable=False),
        sa.Column("height", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "page_index", name="uq_pages_page"),
    )
    op.create_table(
        "components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("x0", sa.Double(), nullable=False),
        sa.Column("y0", sa.Double(), nullable=False),
        sa.Column("x1", sa.Double(), nullable=False),
        sa.Column("y1", sa.Double(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("voltage_primary_v", sa.Double(), nullable=True),
        sa.Column("voltage_secondary_v", sa.Double(), nullable=True),
        sa.Column("current_a", sa.Double(), nullable=True),
        sa.Column("power_kva", sa.Double(), nullable=True),
        sa.Column("power_kw", sa.Double(), nullable=True),
        sa.Column("power_hp", sa.Double(), nullable=True),
        sa.Column("impedance_pct", sa.Double(), nullable=True),
        sa.Column("frequency_hz", sa.Double(), nullable=True),
        sa.Column("poles", sa.Integer(), nullable=True),
        sa.Column("phases", sa.Integer(), nullable=True),
        sa.Column(
            "ratings",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "page_index"],
            ["pages.document_id", "pages.page_index"],
            name="fk_components_page",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "component_id", name="uq_components_component"),
    )
    op.create_index("ix_components_name", "components", ["name"], unique=False)
    op.create_index("ix_components_page", "components", ["document_id", "page_index"], unique=False)
    op.create_index("ix_components_type", "components", ["type"], unique=False)
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("component_a_id", sa.Text(), nullable=False),
        sa.Column("component_b_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id", "component_a_id"],
            ["components.document_id", "components.component_id"],
            name="fk_connections_component_a_id",
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "component_b_id"],
            ["components.document_id", "components.component_id"],
            name="fk_connections_component_b_id",
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "page_index"],
            ["pages.document_id", "pages.page_index"],
            name="fk_connections_page",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_connections_component_a", "connections", ["document_id", "component_a_id"], unique=False
    )
    op.create_index(
        "ix_connections_component_b", "connections", ["document_id", "component_b_id"], unique=False
    )
    op.create_index(
        "ix_connections_page", "connections", ["document_id", "page_index"], unique=False
    )
    op.create_table(
        "graph_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("x", sa.Double(), nullable=False),
        sa.Column("y", sa.Double(), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("component_id", sa.Text(), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "kind IN ('component', 'bus', 'junction', 'terminal')", name="ck_graph_nodes_kind"
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "component_id"],
            ["components.document_id", "components.component_id"],
            name="fk_graph_nodes_component_id",
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "page_index"],
            ["pages.document_id", "pages.page_index"],
            name="fk_graph_nodes_page",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "page_index", "node_id", name="uq_graph_nodes_node"),
    )
    op.create_index(
        "ix_graph_nodes_component", "graph_nodes", ["document_id", "component_id"], unique=False
    )
    op.create_table(
        "texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("text_id", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("x0", sa.Double(), nullable=False),
        sa.Column("y0", sa.Double(), nullable=False),
        sa.Column("x1", sa.Double(), nullable=False),
        sa.Column("y1", sa.Double(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("component_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id", "component_id"],
            ["components.document_id", "components.component_id"],
            name="fk_texts_component_id",
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "page_index"],
            ["pages.document_id", "pages.page_index"],
            name="fk_texts_page",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "text_id", name="uq_texts_text"),
    )
    op.create_index("ix_texts_component", "texts", ["document_id", "component_id"], unique=False)
    op.create_index("ix_texts_page", "texts", ["document_id", "page_index"], unique=False)
    op.create_table(
        "graph_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("source_node_id", sa.Text(), nullable=False),
        sa.Column("target_node_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "page_index", "source_node_id"],
            ["graph_nodes.document_id", "graph_nodes.page_index", "graph_nodes.node_id"],
            name="fk_graph_edges_source",
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "page_index", "target_node_id"],
            ["graph_nodes.document_id", "graph_nodes.page_index", "graph_nodes.node_id"],
            name="fk_graph_edges_target",
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "page_index"],
            ["pages.document_id", "pages.page_index"],
            name="fk_graph_edges_page",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_graph_edges_page", "graph_edges", ["document_id", "page_index"], unique=False
    )
    op.create_index(
        "ix_graph_edges_source",
        "graph_edges",
        ["document_id", "page_index", "source_node_id"],
        unique=False,
    )
    op.create_index(
        "ix_graph_edges_target",
        "graph_edges",
        ["document_id", "page_index", "target_node_id"],
        unique=False,
    )
    for name, query in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS{query}")
    op.execute("INSERT INTO sld_schema (version) VALUES (1)")


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW {name}")
    op.drop_index("ix_graph_edges_target", table_name="graph_edges")
    op.drop_index("ix_graph_edges_source", table_name="graph_edges")
    op.drop_index("ix_graph_edges_page", table_name="graph_edges")
    op.drop_table("graph_edges")
    op.drop_index("ix_texts_page", table_name="texts")
    op.drop_index("ix_texts_component", table_name="texts")
    op.drop_table("texts")
    op.drop_index("ix_graph_nodes_component", table_name="graph_nodes")
    op.drop_table("graph_nodes")
    op.drop_index("ix_connections_page", table_name="connections")
    op.drop_index("ix_connections_component_b", table_name="connections")
    op.drop_index("ix_connections_component_a", table_name="connections")
    op.drop_table("connections")
    op.drop_index("ix_components_type", table_name="components")
    op.drop_index("ix_components_page", table_name="components")
    op.drop_index("ix_components_name", table_name="components")
    op.drop_table("components")
    op.drop_table("pages")
    op.drop_table("sld_schema")
    op.drop_table("documents")
