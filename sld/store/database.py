"""Opening the result database: engine, connection settings, and the revision guard.

`open_database(url)` is the only way in: it connects once (so an unreachable server fails here,
with a message that names the URL and hides the password), migrates an empty database to the head
revision, and refuses one at another revision (`upgrade_database`, `sld db upgrade`, brings an
older one forward).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from sld.store import migrate
from sld.store.tables import Base

#: PostgreSQL goes through psycopg 3; a bare `postgresql://` URL would ask for psycopg2.
_POSTGRES_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}

#: Any number, the same in every process: serialises migrations on one PostgreSQL database.
_SCHEMA_LOCK_ID = 0x51D5_7095

#: The version table of the layout from before migrations (revision 0003 drops it).
_LEGACY_VERSION_TABLE = "sld_schema"


class DatabaseUnavailableError(RuntimeError):
    """The database could not be reached or opened."""


class SchemaVersionError(RuntimeError):
    """The database was made by a different version of the table layout."""


def shown_url(engine_or_url: Engine | URL) -> str:
    """The URL for messages and logs, password hidden."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else engine_or_url
    return url.render_as_string(hide_password=True)


def open_database(url: str) -> Engine:
    """An engine on the result database at `url`, migrated if it was empty, checked if not.

    SQLite (`sqlite:///out/sld.db`): the folder is created; foreign keys are enforced and the
    journal is write-ahead, so readers do not block the writer. PostgreSQL: `postgresql+psycopg://`
    (a plain `postgresql://` URL is given the psycopg 3 driver). Raises `DatabaseUnavailableError`
    when it cannot be reached, `SchemaVersionError` when it is at another revision.
    """
    engine = _engine(url)
    try:
        with _connect(engine) as connection, connection.begin():
            _prepare_schema(connection)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that may read, then write, while other processes write too.

    SQLite: `BEGIN IMMEDIATE` takes the write lock first (waiting up to the busy timeout), so
    a read-then-write transaction never fails halfway on another writer's commit. PostgreSQL:
    a plain transaction; the caller takes the advisory locks its rows need (`lock_keys`).
    """
    with _connect(engine) as connection:
        if connection.dialect.name == "sqlite":
            connection = connection.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        with connection.begin():
            yield connection


def lock_keys(connection: Connection, keys: list[str]) -> None:
    """Hold a PostgreSQL advisory lock on each key until the transaction ends (in sorted order,
    so two savers of overlapping keys cannot deadlock). SQLite's write lock already covers it."""
    if connection.dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _engine(url: str) -> Engine:
    database_url = make_url(url)
    database_url = database_url.set(
        drivername=_POSTGRES_DRIVERS.get(database_url.drivername, database_url.drivername)
    )
    try:
        if database_url.get_backend_name() == "sqlite":
            return _sqlite_engine(database_url)
        return _server_engine(database_url)
    except (DBAPIError, OSError) as error:
        raise DatabaseUnavailableError(
            f"cannot open the database at {shown_url(database_url)}: {error}"
        ) from error


def _connect(engine: Engine) -> Connection:
    """A connection, or one clear `DatabaseUnavailableError` naming the URL (password hidden)."""
    try:
        return engine.connect()
    except (DBAPIError, OSError) as error:
        reason = error.orig if isinstance(error, DBAPIError) else error
        one_line = " ".join(str(reason).split())  # drivers add hints on lines of their own
        raise DatabaseUnavailableError(
            f"cannot open the database at {shown_url(engine)}: {one_line}"
        ) from error


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database not in ("", ":memory:") and not url.query.get("uri"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Another process writing (a second flow run) makes us wait up to 30 s instead of failing.
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _set_sqlite_pragmas)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _server_engine(url: URL) -> Engine:
    # A server behind a firewall that drops packets would otherwise hang for minutes.
    timeout = {} if "connect_timeout" in url.query else {"connect_timeout": 10}
    return create_engine(url, pool_pre_ping=True, connect_args=timeout)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite leaves foreign keys off by default; WAL lets readers work while a result is saved.

    The driver's own transaction handling is switched off (`isolation_level = None`) and
    `_begin_sqlite` emits BEGIN instead: the driver would run DDL outside any transaction, so a
    migration could stop halfway, and it cannot begin IMMEDIATE when asked.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))


def _prepare_schema(connection: Connection) -> None:
    """Migrate an empty database to the head revision; refuse one at another revision."""
    _lock_schema(connection)
    found = schema_state(connection)
    if found.kind == "empty":
        migrate.upgrade(connection)
    elif found.kind != "current":
        raise SchemaVersionError(found.problem(shown_url(connection.engine)))


def _lock_schema(connection: Connection) -> None:
    """Two workers preparing one fresh database: the second waits, then finds the tables."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _SCHEMA_LOCK_ID})


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against this sld's migrations.

    `kind`: "empty" (no sld tables), "current" (at the head revision), "behind" (an earlier
    revision, or the layout from before migrations), "ahead" (a revision this sld does not
    know: a newer sld made it), "unknown" (sld tables and no record of their version).
    """

    kind: str
    revision: str | None

    def problem(self, where: str) -> str:
        head = migrate.head_revision()
        if self.kind == "behind":
            return (
                f"the database at {where} is at revision {self.revision}, this sld needs {head}: "
                f"run `sld db upgrade --db {where}` (back it up first)"
            )
        if self.kind == "ahead":
            return (
                f"the database at {where} is at revision {self.revision}, which this sld does not "
                f"know (it reads {head}): a newer sld made it; use that release or a new database"
            )
        return (
            f"the database at {where} has sld tables but no record of their version: use a new "
            "database (SLD_DATABASE_URL), or the sld release that made this one"
        )


def schema_state(connection: Connection) -> SchemaState:
    """Read the database's revision (or, for a database from before migrations, its version)."""
    present = set(inspect(connection).get_table_names())
    if "alembic_version" in present:
        revision = migrate.current_revision(connection)
        if revision == migrate.head_revision():
            return SchemaState("current", revision)
        if revision in migrate.revisions():
            return SchemaState("behind", revision)
        return SchemaState("ahead" if revision else "unknown", revision)
    if _LEGACY_VERSION_TABLE in present:
        rows = connection.execute(text(f"SELECT version FROM {_LEGACY_VERSION_TABLE}")).all()
        versions = [row[0] for row in rows]
        if len(versions) == 1 and versions[0] in migrate.LEGACY_VERSIONS:
            revision = migrate.LEGACY_VERSIONS[versions[0]]
            return SchemaState("behind", f"{revision} (from before migrations)")
        return SchemaState("ahead", f"none (schema version {versions[0] if versions else '?'})")
    if present & set(Base.metadata.tables):
        return SchemaState("unknown", None)
    return SchemaState("empty", None)


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Bring the database at `url` to the head revision; return (revision before, after).

    A database from before migrations (its `sld_schema` says 1 or 2) is first stamped with the
    revision whose layout it has. One transaction: a failure leaves the database as it was.
    """
    engine = _engine(url)
    try:
        with _connect(engine) as connection, connection.begin():
            _lock_schema(connection)
            found = schema_state(connection)
            shown = shown_url(engine)
            if found.kind in ("ahead", "unknown"):
                raise SchemaVersionError(found.problem(shown))
            if found.kind == "behind" and migrate.current_revision(connection) is None:
                assert found.revision is not None  # "<revision> (from before migrations)"
                migrate.stamp(connection, found.revision.split()[0])
            migrate.upgrade(connection)
            return found.revision, migrate.head_revision()
    finally:
        engine.dispose()
