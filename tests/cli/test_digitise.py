"""End to end: `sld digitise` on generated sheets, into JSON and a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from sld.cli.main import main
from sld.document import CORE_TYPES, Document
from sld.evaluate import evaluate_document
from sld.synth import generate_set

SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / "document.schema.json").read_text())


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two vector sheets and their scans, seed 11."""
    folder = tmp_path_factory.mktemp("sheets")
    generate_set(folder, count=2, seed=11, scans=True)
    return sorted(folder.glob("*.pdf"))


@pytest.fixture(scope="module")
def digitised(sheets: list[Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sheets digitised by the CLI: (database file, result folder)."""
    work = tmp_path_factory.mktemp("digitised")
    database, out = work / "sld.db", work / "out"
    code = main(["digitise", *map(str, sheets), "--out", str(out), "--db", f"sqlite:///{database}"])
    assert code == 0
    return database, out


def test_results_follow_the_schema_and_the_ground_truth(
    sheets: list[Path], digitised: tuple[Path, Path]
) -> None:
    _, out = digitised
    for pdf in sheets:
        result = json.loads((out / f"{pdf.stem}.json").read_text())
        jsonschema.validate(result, SCHEMA)
        document = Document.model_validate(result)
        truth = Document.read(pdf.with_suffix(".json"))
        assert document.source.sha256 == truth.source.sha256
        scores = evaluate_document(truth, document)
        bound = 0.85 if pdf.stem.endswith("-scan") else 0.9
        f1 = scores.core_detection.f1
        assert f1 is not None and f1 >= bound, (pdf.name, scores.core_detection)


def test_sql_counts_agree_with_the_results(
    sheets: list[Path], digitised: tuple[Path, Path]
) -> None:
    database, out = digitised
    expected: Counter[str] = Counter()
    for pdf in sheets:
        document = Document.read(out / f"{pdf.stem}.json")
        expected.update(c.type for page in document.pages for c in page.components)
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT type, count(*) FROM components GROUP BY type").fetchall()
    assert dict(rows) == dict(expected)
    assert set(expected) & set(CORE_TYPES)


def test_digitising_again_replaces_rows(sheets: list[Path], tmp_path: Path) -> None:
    database = tmp_path / "again.db"
    arguments = ["digitise", str(sheets[0]), "--out", str(tmp_path / "out"), "--db"]
    assert main([*arguments, f"sqlite:///{database}"]) == 0
    with sqlite3.connect(database) as connection:
        first = connection.execute("SELECT count(*) FROM components").fetchone()[0]
    assert main([*arguments, f"sqlite:///{database}"]) == 0
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
        assert connection.execute("SELECT count(*) FROM components").fetchone()[0] == first


def bad_inputs(folder: Path) -> dict[str, Path]:
    """One of each kind of input the CLI must refuse, with a message naming it."""
    missing = folder / "missing.pdf"
    text = folder / "notes.pdf"
    text.write_text("not a drawing\n")
    corrupt = folder / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n%%EOF\n")
    encrypted = folder / "locked.pdf"
    sheet = canvas.Canvas(str(encrypted), encrypt=StandardEncryption("secret"))
    sheet.drawString(100, 100, "CB-1")
    sheet.save()
    return {"missing": missing, "not": text, "damaged": corrupt, "encrypted": encrypted}


def test_bad_inputs_are_named_and_do_not_stop_the_others(
    sheets: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = bad_inputs(tmp_path)
    out = tmp_path / "out"
    code = main(
        [
            "digitise",
            *map(str, bad.values()),
            str(sheets[0]),
            "--out",
            str(out),
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
        ]
    )
    assert code == 1
    messages = capsys.readouterr().err
    for phrase, path in bad.items():
        assert f"{path}" in messages and phrase in messages.lower(), (phrase, messages)
    assert (out / f"{sheets[0].stem}.json").exists()


def test_help_is_quick_to_import() -> None:
    """`sld --help` must not import the heavy libraries (numpy, torch, prefect, ...)."""
    probe = (
        "import sys, runpy; sys.argv=['sld','--help']\n"
        "try:\n    runpy.run_module('sld', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy','torch','prefect','sqlalchemy','cv2') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in output
