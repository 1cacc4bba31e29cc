"""Migrations: the database layout as a chain of Alembic revisions in `sld/store/migrations/`.

`open_database` creates a new database by running every revision, and refuses one that is behind
(`sld db upgrade` brings it forward) or ahead (made by a newer sld). The same revisions, rendered
offline, are `schemas/database.sql`, so the checked-in DDL is what a migrated database holds.

Adding a revision (a new table, a column): change `sld/store/tables.py`, then

    make migration MESSAGE="review corrections"     # autogenerates versions/NNNN_*.py
    make schemas                                     # regenerates schemas/database.sql

read the generated file (autogenerate misses views and data moves), and run the tests: one of
them fails while the migrated database and the tables in `tables.py` differ.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).with_name("migrations")

#: The layout that sld had before it had migrations (its `sld_schema` table says version 1).
FIRST_REVISION = "0001"

#: The revision whose layout a database from before migrations has, by its `sld_schema` version.
LEGACY_VERSIONS = {1: "0001", 2: "0002"}


def alembic_config(**attributes: object) -> Config:
    """Alembic's configuration for sld's revisions; `attributes` reach `migrations/env.py`."""
    config = Config(output_buffer=io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes.update(attributes)
    return config


@cache
def revisions() -> tuple[str, ...]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return tuple(reversed([revision.revision for revision in script.walk_revisions()]))


def head_revision() -> str:
    """The revision this sld reads and writes."""
    return revisions()[-1]


def current_revision(connection: Connection) -> str | None:
    """The revision the database at `connection` is at, or None when it has none recorded."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection) -> None:
    """Run every revision after the database's current one, inside the caller's transaction."""
    command.upgrade(alembic_config(connection=connection), "head")


def stamp(connection: Connection, revision: str) -> None:
    """Record `revision` as the database's current one without running anything."""
    command.stamp(alembic_config(connection=connection), revision)


def migration_sql(dialect_name: str) -> str:
    """Every revision as the SQL that `alembic upgrade head --sql` prints for `dialect_name`."""
    config = alembic_config(dialect=dialect_name)
    command.upgrade(config, "head", sql=True)
    buffer = config.output_buffer
    assert isinstance(buffer, io.StringIO)
    return buffer.getvalue()


def autogenerate_revision(message: str) -> Path:
    """Write a new revision from the difference between the head revision and `tables.py`.

    Compared on a scratch SQLite database migrated to head; the file is named with the next
    four-digit number. Read it before committing: views and data moves are not generated.
    """
    import tempfile

    from sqlalchemy import create_engine

    number = f"{int(head_revision()) + 1:04d}"
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{scratch}/head.db")
        try:
            with engine.begin() as connection:
                upgrade(connection)
                script = command.revision(
                    alembic_config(connection=connection),
                    message=message,
                    autogenerate=True,
                    rev_id=number,
                )
        finally:
            engine.dispose()
    revisions.cache_clear()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
