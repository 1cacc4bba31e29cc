"""`sld inbox status|retry` and `sld db upgrade`, run as an operator would."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from sld.cli.errors import USER_ERROR
from sld.cli.main import main
from sld.inbox import Inbox
from sld.store import migrate, open_database


def test_inbox_status_shows_each_place_and_retry_puts_failed_files_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    (inbox.root / "new.pdf").write_bytes(b"%PDF")
    (inbox.root / "claimed.pdf").write_bytes(b"%PDF")
    assert inbox.claim(Path("claimed.pdf")) is not None
    (inbox.failed / "bad.pdf").write_bytes(b"x")
    (inbox.failed / "bad.pdf.error.txt").write_text("bad input: bad.pdf: is empty (0 bytes).\n")

    assert main(["inbox", "status", str(inbox.root)]) == 0
    shown = capsys.readouterr().out
    assert "1 still arriving" in shown or "1 ready" in shown
    assert "claimed.pdf  claimed" in shown and "run (not submitted)" in shown
    assert "bad.pdf: bad input: bad.pdf: is empty (0 bytes)." in shown

    assert main(["inbox", "retry", str(inbox.root), "missing.pdf"]) == USER_ERROR
    assert "not in" in capsys.readouterr().err
    assert main(["inbox", "retry", str(inbox.root)]) == 0
    assert "1 file(s) will be taken by the next scan" in capsys.readouterr().out
    assert (inbox.root / "bad.pdf").exists() and list(inbox.failed.iterdir()) == []


def test_inbox_status_of_a_missing_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inbox", "status", str(tmp_path / "nowhere")]) == USER_ERROR
    assert capsys.readouterr().err.strip().endswith("no such folder; give the drop folder")


def test_db_upgrade_brings_an_old_database_forward(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection=connection), migrate.FIRST_REVISION)
    engine.dispose()

    assert main(["db", "upgrade", "--db", url]) == 0
    assert f"from revision 0001 to {migrate.head_revision()}" in capsys.readouterr().out
    open_database(url).dispose()
    assert main(["db", "upgrade", "--db", url]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_db_upgrade_of_an_unreachable_server_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "upgrade", "--db", "postgresql://sld:pw@127.0.0.1:9/none"]) == USER_ERROR
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "cannot open the database at" in error and "pw" not in error


def test_digitise_with_an_unreachable_database_says_so_once_before_any_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drawings = [tmp_path / f"d{n}.pdf" for n in range(3)]
    for drawing in drawings:
        drawing.write_bytes(b"%PDF-1.7")
    url = "postgresql://sld@127.0.0.1:9/none"

    assert (
        main(["digitise", *map(str, drawings), "--db", url, "--out", str(tmp_path)]) == USER_ERROR
    )
    error = capsys.readouterr().err
    assert error.count("cannot open the database") == 1 and "Traceback" not in error
