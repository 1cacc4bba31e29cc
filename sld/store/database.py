"""Opening the result database: engine, connection settings, and the schema version guard.

`open_database(url)` is the only way in: it connects once (so an unreachable server fails here,
with a message that names the URL and hides the password), creates the tables and views on an empty
database, and refuses a database made under another schema version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from sld.store.ddl import schema_version_statement, view_statements
from sld.store.tables import DATABASE_SCHEMA_VERSION, Base, SchemaVersionRow

#: PostgreSQL goes through psycopg 3; a bare `postgresql://` URL would ask for psycopg2.
_POSTGRES_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}

#: Any number, the same in every process: serialises table creation on one PostgreSQL database.
_CREATE_LOCK_ID = 0x51D5_7095


class DatabaseUnavailableError(RuntimeError):
    """The database could not be reached or opened."""


class SchemaVersionError(RuntimeError):
    """The database was made by a different version of the table layout."""


def shown_url(engine_or_url: Engine | URL) -> str:
    """The URL for messages and logs, password hidden."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else engine_or_url
    return url.render_as_string(hide_password=True)


def open_database(url: str) -> Engine:
    """An engine on the result database at `url`, with the tables created if missing.

    SQLite (`sqlite:///out/sld.db`): the folder is created; foreign keys are enforced and the
    journal is write-ahead, so readers do not block the writer. PostgreSQL: `postgresql+psycopg://`
    (a plain `postgresql://` URL is given the psycopg 3 driver).
    """
    database_url = make_url(url)
    database_url = database_url.set(
        drivername=_POSTGRES_DRIVERS.get(database_url.drivername, database_url.drivername)
    )
    try:
        if database_url.get_backend_name() == "sqlite":
            engine = _sqlite_engine(database_url)
        else:
            engine = _server_engine(database_url)
        connection = engine.connect()
    except (DBAPIError, OSError) as error:
        reason = error.orig if isinstance(error, DBAPIError) else error
        raise DatabaseUnavailableError(
            f"cannot open the database at {shown_url(database_url)}: {reason}"
        ) from error
    try:
        with connection, connection.begin():
            _prepare_schema(connection)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database not in ("", ":memory:") and not url.query.get("uri"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Another process writing (a second flow run) makes us wait up to 30 s instead of failing.
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _server_engine(url: URL) -> Engine:
    # A server behind a firewall that drops packets would otherwise hang for minutes.
    timeout = {} if "connect_timeout" in url.query else {"connect_timeout": 10}
    return create_engine(url, pool_pre_ping=True, connect_args=timeout)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite leaves foreign keys off by default; WAL lets readers work while a result is saved."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _prepare_schema(connection: Connection) -> None:
    """Create the tables on an empty database; check the version on one that has them."""
    if connection.dialect.name == "postgresql":
        # Two workers opening a fresh database at once: the second waits, then finds the tables.
        connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _CREATE_LOCK_ID})
    shown = shown_url(connection.engine)
    present = set(inspect(connection).get_table_names())
    if SchemaVersionRow.__tablename__ in present:
        versions = connection.scalars(select(SchemaVersionRow.version)).all()
        if versions != [DATABASE_SCHEMA_VERSION]:
            found = ", ".join(map(str, versions)) or "none recorded"
            raise SchemaVersionError(
                f"the database at {shown} has sld schema version {found}, but this sld reads "
                f"version {DATABASE_SCHEMA_VERSION}. There are no migrations yet: use a new "
                "database (SLD_DATABASE_URL), or the sld release that made this one."
            )
        return
    ours = present & set(Base.metadata.tables)
    if ours:
        raise SchemaVersionError(
            f"the database at {shown} has sld tables ({', '.join(sorted(ours))}) but no "
            "sld_schema table, so its layout version is unknown. Use a new database "
            "(SLD_DATABASE_URL), or the sld release that made this one."
        )
    Base.metadata.create_all(connection)
    for statement in [*view_statements(), schema_version_statement()]:
        connection.execute(text(statement))
