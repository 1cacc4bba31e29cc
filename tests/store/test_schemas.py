"""The generated files in `schemas/` are checked in; they must say what the code says."""

from __future__ import annotations

from pathlib import Path

import pytest

from sld.store import ddl, write_schemas

CHECKED_IN = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("name", ["database.sql", "document.schema.json"])
def test_checked_in_schemas_match_the_code(tmp_path: Path, name: str) -> None:
    write_schemas(tmp_path)

    generated = (tmp_path / name).read_text(encoding="utf-8")
    checked_in = (CHECKED_IN / name).read_text(encoding="utf-8")

    assert checked_in == generated, (
        f"schemas/{name} differs from the code: run `PYTHONPATH=. python -m sld.store schemas`"
        " and commit the result"
    )


def test_database_sql_holds_both_dialects() -> None:
    text = (CHECKED_IN / "database.sql").read_text(encoding="utf-8")

    assert ddl("sqlite") in text
    assert ddl("postgresql") in text
    assert "ratings JSONB NOT NULL" in ddl("postgresql")
    assert "CREATE TABLE components (" in ddl("sqlite")
    with pytest.raises(ValueError, match="known: sqlite, postgresql"):
        ddl("oracle")


def test_the_ddl_does_not_change_when_prefect_is_loaded() -> None:
    """Prefect's server compiles `now()` its own way on SQLite once imported; a worker that
    creates the database must still get the schema that `schemas/` shows."""
    import subprocess
    import sys

    code = (
        "import prefect.server.utilities.database\nfrom sld.store import ddl\nprint(ddl('sqlite'))"
    )
    with_prefect = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert with_prefect.strip() == ddl("sqlite").strip()
