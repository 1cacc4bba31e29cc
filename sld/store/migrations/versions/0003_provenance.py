"""How each result was made, and where its JSON is: what re-digitisation and the inbox compare.

The columns are nullable: rows saved before this revision have no record of them (the nightly
re-digitisation treats such a document as changed). `sld_schema` goes: `alembic_version` holds the
database's revision from here on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("sld_schema")
    op.add_column("documents", sa.Column("pipeline_version", sa.Text(), nullable=True))
    op.add_column(
        "documents",
        sa.Column(
            "settings",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=True,
        ),
    )
    op.add_column("documents", sa.Column("settings_digest", sa.String(length=64), nullable=True))
    op.add_column("documents", sa.Column("json_path", sa.Text(), nullable=True))
    op.add_column("documents", sa.Column("json_sha256", sa.String(length=64), nullable=True))
    op.add_column("documents", sa.Column("digitised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("documents", "digitised_at")
    op.drop_column("documents", "json_sha256")
    op.drop_column("documents", "json_path")
    op.drop_column("documents", "settings_digest")
    op.drop_column("documents", "settings")
    op.drop_column("documents", "pipeline_version")
    op.create_table(
        "sld_schema",
        sa.Column("version", sa.INTEGER(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.execute("INSERT INTO sld_schema (version) VALUES (2)")
