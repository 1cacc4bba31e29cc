"""Reviews and corrections (what a person changed, who and when), and the review marks on
documents and pages: the layout sld had as schema version 2, before it had migrations.

A database made then (its `sld_schema` table says 2) is stamped with this revision by
`sld db upgrade` and brought forward. The view is written out here so that this revision never
changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT_SUMMARY = """
SELECT d.id AS document_id, d.path, d.sha256, d.page_count, d.detector, d.ocr, d.created_at,
       d.reviewed_at, d.reviewed_by,
       (SELECT count(*) FROM components AS c WHERE c.document_id = d.id) AS component_count,
       (SELECT count(*) FROM texts AS t WHERE t.document_id = d.id) AS text_count,
       (SELECT count(*) FROM connections AS k WHERE k.document_id = d.id) AS connection_count
FROM documents AS d"""

DOCUMENT_SUMMARY_BEFORE = """
SELECT d.id AS document_id, d.path, d.sha256, d.page_count, d.detector, d.ocr, d.created_at,
       (SELECT count(*) FROM components AS c WHERE c.document_id = d.id) AS component_count,
       (SELECT count(*) FROM texts AS t WHERE t.document_id = d.id) AS text_count,
       (SELECT count(*) FROM connections AS k WHERE k.document_id = d.id) AS connection_count
FROM documents AS d"""

ACTIONS = ("retype", "delete", "add", "move", "relink", "rename", "rate", "accept_page")


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON(none_as_null=True).with_variant(
        postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
    )


def upgrade() -> None:
    op.execute("DROP VIEW document_summary")
    op.add_column("documents", sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("documents", sa.Column("reviewed_by", sa.Text(), nullable=True))
    op.add_column("pages", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("pages", sa.Column("accepted_by", sa.Text(), nullable=True))
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_path", sa.Text(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column(
            "applied_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("corrections_file", sa.Text(), nullable=True),
        sa.Column("result_before", _json(), nullable=False),
        sa.Column("result_after", _json(), nullable=False),
        sa.Column("learned", _json(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reviews_document", "reviews", ["document_sha256"], unique=False)
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("target_id", sa.Text(), nullable=True),
        sa.Column("before", _json(), nullable=True),
        sa.Column("after", _json(), nullable=True),
        sa.Column("made_by", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN (" + ", ".join(f"'{action}'" for action in ACTIONS) + ")",
            name="ck_corrections_action",
        ),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_corrections_review", "corrections", ["review_id"], unique=False)
    op.execute(f"CREATE VIEW document_summary AS{DOCUMENT_SUMMARY}")
    op.execute("UPDATE sld_schema SET version = 2")


def downgrade() -> None:
    op.execute("DROP VIEW document_summary")
    op.drop_index("ix_corrections_review", table_name="corrections")
    op.drop_table("corrections")
    op.drop_index("ix_reviews_document", table_name="reviews")
    op.drop_table("reviews")
    op.drop_column("pages", "accepted_by")
    op.drop_column("pages", "accepted_at")
    op.drop_column("documents", "reviewed_by")
    op.drop_column("documents", "reviewed_at")
    op.execute(f"CREATE VIEW document_summary AS{DOCUMENT_SUMMARY_BEFORE}")
    op.execute("UPDATE sld_schema SET version = 1")
