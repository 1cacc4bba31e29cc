"""`sld query` on a real SQLite file (and PostgreSQL): an existing database only, NULL as an
empty cell, table / CSV / JSON, and a wrong statement as one line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from sld.cli.errors import USER_ERROR
from sld.cli.main import main
from sld.store import open_database

#: Two rows, one with every value missing: what a component without ratings looks like.
SQL = (
    "SELECT name, power_kva, poles FROM components "
    "UNION ALL SELECT 'T1', 500.0, 3 UNION ALL SELECT NULL, NULL, NULL"
)


@pytest.fixture
def database(tmp_path: Path) -> str:
    """An sld database with its tables and no documents."""
    url = f"sqlite:///{tmp_path / 'results.db'}"
    open_database(url).dispose()
    return url


def query(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["query", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_gives_null_and_numbers(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = query([SQL, "--db", database, "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out) == [
        {"name": "T1", "power_kva": 500.0, "poles": 3},
        {"name": None, "power_kva": None, "poles": None},
    ]


def test_csv_gives_empty_cells(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = query([SQL, "--db", database, "--format", "csv"], capsys)
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["name", "power_kva", "poles"],
        ["T1", "500.0", "3"],
        ["", "", ""],
    ]


def test_the_table_shows_no_nan(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = query([SQL, "--db", database], capsys)
    assert code == 0
    assert "nan" not in out.lower() and "None" not in out
    assert "T1" in out and "500.0" in out and "2 row(s)" in out


def test_a_missing_database_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = query(["SELECT 1"], capsys)
    assert code == USER_ERROR
    assert err.count("\n") == 1
    assert f"error: there is no database at sld.db (from {tmp_path})" in err
    assert "sld digitise" in err and "--db" in err
    assert not (tmp_path / "sld.db").exists()


def test_bad_sql_is_one_line(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = query(["SELEC name FROM components", "--db", database], capsys)
    assert code == USER_ERROR
    assert err.startswith('error: the query failed: near "SELEC": syntax error (tables and views:')
    code, _, err = query(["SELECT missing FROM components", "--db", database], capsys)
    assert code == USER_ERROR
    assert err.startswith("error: the query failed: no such column: missing (tables and views: ")
    assert "components, connections" in err and "document_summary" in err
    assert err.count("\n") == 1


def test_query_only_reads(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = query(["DELETE FROM alembic_version", "--db", database], capsys)
    assert code == 0
    engine = open_database(database)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


@pytest.mark.postgres
def test_postgres_errors_are_one_line_too(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_database(postgres_url).dispose()
    code, out, _ = query([SQL, "--db", postgres_url, "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)[-1] == {"name": None, "power_kva": None, "poles": None}
    code, _, err = query(["SELECT missing FROM components", "--db", postgres_url], capsys)
    assert code == USER_ERROR
    assert err.count("\n") == 1 and 'column "missing" does not exist' in err
