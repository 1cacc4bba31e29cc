"""Migrations on a real SQLite file and a real PostgreSQL server, and saves that race."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text

from sld.store import (
    SchemaVersionError,
    load_document,
    migrate,
    open_database,
    save_document,
    upgrade_database,
)
from sld.store.tables import Base, DocumentRow
from tests.store.test_store import plant_document, plant_graphs


def run_alembic(url: str, verb: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        getattr(command, verb)(migrate.alembic_config(connection=connection), revision)
    engine.dispose()


def test_a_new_database_is_migrated_to_the_tables_of_the_code(database_url: str) -> None:
    """Fails when someone changes tables.py without a revision (`make migration`)."""
    engine = open_database(database_url)
    with engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()

    assert differences == []


@pytest.mark.parametrize("layout", ["0001", "0002"])
def test_a_database_from_before_migrations_is_upgraded_keeping_its_results(
    database_url: str, layout: str
) -> None:
    # What sld made before it had migrations (schema version 1 or 2): that revision's tables
    # and its sld_schema row, no alembic_version.
    run_alembic(database_url, "upgrade", layout)
    plain = create_engine(database_url)
    with plain.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(
            text(
                "INSERT INTO documents (path, sha256, page_count, schema_version) "
                "VALUES ('old/plant.pdf', :sha, 0, 1)"
            ),
            {"sha": "a" * 64},
        )
    plain.dispose()

    with pytest.raises(SchemaVersionError, match="run `sld db upgrade --db "):
        open_database(database_url)
    before, after = upgrade_database(database_url)

    assert (before, after) == (f"{layout} (from before migrations)", migrate.head_revision())
    engine = open_database(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(DocumentRow.path)) == "old/plant.pdf"
        assert "sld_schema" not in inspect(connection).get_table_names()
    engine.dispose()
    assert upgrade_database(database_url) == (migrate.head_revision(), migrate.head_revision())


def test_every_revision_goes_down_and_up_again(database_url: str) -> None:
    open_database(database_url).dispose()
    run_alembic(database_url, "downgrade", "base")
    plain = create_engine(database_url)
    with plain.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    plain.dispose()

    run_alembic(database_url, "upgrade", "head")
    engine = open_database(database_url)
    document_id = save_document(engine, plant_document(), plant_graphs(), detector=None, ocr=None)
    assert load_document(engine, document_id) == plant_document()
    engine.dispose()


def test_a_database_from_a_newer_sld_is_refused(database_url: str) -> None:
    open_database(database_url).dispose()
    plain = create_engine(database_url)
    with plain.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    plain.dispose()

    with pytest.raises(SchemaVersionError, match="revision 9999, which this sld does not know"):
        open_database(database_url)
    with pytest.raises(SchemaVersionError, match="a newer sld made it"):
        upgrade_database(database_url)


def test_sld_tables_without_a_version_are_refused(database_url: str) -> None:
    open_database(database_url).dispose()
    plain = create_engine(database_url)
    with plain.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    plain.dispose()

    with pytest.raises(SchemaVersionError, match="no record of their version"):
        open_database(database_url)


def _save_many(url: str, path: str, times: int, start: multiprocessing.synchronize.Event) -> str:
    engine = open_database(url)
    start.wait()
    try:
        for _ in range(times):
            save_document(
                engine, plant_document(path=path), plant_graphs(), detector=None, ocr=None
            )
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    finally:
        engine.dispose()
    return "ok"


@pytest.mark.slow
def test_concurrent_saves_of_one_drawing_from_three_processes(database_url: str) -> None:
    """Three workers saving one drawing (two paths of it) 15 times each: no error, one row."""
    open_database(database_url).dispose()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(3) as pool:
            waiting = [
                pool.apply_async(_save_many, (database_url, path, 15, start))
                for path in ("a/plant.pdf", "a/plant.pdf", "b/plant.pdf")
            ]
            start.set()
            outcomes = [result.get(timeout=300) for result in waiting]

    assert outcomes == ["ok", "ok", "ok"]
    engine = open_database(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DocumentRow)) == 1
    assert load_document(engine, 1).pages == plant_document().pages
    engine.dispose()
