"""Alembic's entry point for sld's migrations; `sld.store.migrate` is what calls it.

Online, the caller hands over an open connection (`config.attributes["connection"]`), so a
migration runs inside the caller's transaction and lock. Offline (`--sql`), it writes the SQL of
each revision for the dialect in `config.attributes["dialect"]`: that is how `schemas/database.sql`
is generated.
"""

from alembic import context

from sld.store.tables import Base

config = context.config

if context.is_offline_mode():
    context.configure(
        dialect_name=config.attributes["dialect"],
        target_metadata=Base.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    context.configure(
        connection=config.attributes["connection"],
        target_metadata=Base.metadata,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()
