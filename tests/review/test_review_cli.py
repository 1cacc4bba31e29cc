"""End to end on a generated sheet: `sld digitise` writes the review page, `sld corrections apply`
stores what a person changed, derives the connections again and teaches the symbol library."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sld.cli.errors import USER_ERROR
from sld.cli.main import main
from sld.document import Document
from sld.review.report import report_path
from sld.synth import generate_set


def corrections_file(document: Document, *corrections: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "sld-corrections",
        "version": 1,
        "document": {"path": document.source.path, "sha256": document.source.sha256},
        "result": document.fingerprint(),
        "reviewer": "Ada",
        "corrections": [{"page": 0, "at": "2026-12-01T10:00:00Z", **c} for c in corrections],
    }


def a_straight_wire(document: Document) -> tuple[str, str, tuple[float, float, float, float]]:
    """Two connected components one above the other, and a small box on the wire between them."""
    page = document.pages[0]
    boxes = {c.id: c.bbox for c in page.components}
    for a, b in page.connections:
        upper, lower = sorted((a, b), key=lambda c: boxes[c][1])
        (ux0, _, ux1, uy1), (lx0, ly0, lx1, _) = boxes[upper], boxes[lower]
        x = (ux0 + ux1) / 2
        if abs(x - (lx0 + lx1) / 2) > 0.5 or ly0 - uy1 < 40:
            continue
        box = (x - 4.0, (uy1 + ly0) / 2 - 4.0, x + 4.0, (uy1 + ly0) / 2 + 4.0)
        between = [
            c
            for c, (x0, y0, x1, y1) in boxes.items()
            if x0 <= x + 4 and x1 >= x - 4 and y1 > uy1 and y0 < ly0
        ]
        if not between:
            return upper, lower, box
    raise AssertionError("the sheet has no straight vertical wire between two components")


@pytest.fixture
def digitised(tmp_path: Path) -> tuple[Path, Path, Document]:
    """Seed 23's vector sheet digitised into a new SQLite file: (workdir, database, result)."""
    drawing = generate_set(tmp_path / "data", count=1, seed=23, scans=False)[0]
    database = tmp_path / "sld.db"
    code = main(
        ["digitise", str(drawing), "--out", str(tmp_path / "out"), "--db", f"sqlite:///{database}"]
    )
    assert code == 0
    return tmp_path, database, Document.read(tmp_path / "out" / f"{drawing.stem}.json")


def test_digitise_writes_a_review_page_beside_each_result(
    digitised: tuple[Path, Path, Document],
) -> None:
    work, _, document = digitised
    page = report_path(work / "out" / "sld-23-000.json")
    text = page.read_text(encoding="utf-8")
    assert document.fingerprint() in text
    assert "data:image/png;base64," in text


@pytest.mark.slow
def test_applied_corrections_are_stored_reconnected_and_taught(
    digitised: tuple[Path, Path, Document], capsys: pytest.CaptureFixture[str]
) -> None:
    work, database, document = digitised
    upper, lower, on_wire = a_straight_wire(document)
    deleted = next(c.id for c in document.pages[0].components if c.id not in (upper, lower))
    retyped = next(c for c in document.pages[0].components if c.id not in (deleted, upper, lower))
    file = work / "sld-23-000.corrections.json"
    file.write_text(
        json.dumps(
            corrections_file(
                document,
                {"action": "delete", "component_id": deleted},
                {"action": "add", "component_id": "p0-r0", "type": "fuse", "bbox": on_wire},
                {"action": "retype", "component_id": retyped.id, "type": "surge_arrester"},
                {"action": "accept_page"},
            )
        )
    )
    library = work / "my-symbols"
    arguments = ["corrections", "apply", str(file), "--db", f"sqlite:///{database}"]
    out = ["--out", str(work / "out")]
    capsys.readouterr()

    assert main([*arguments, *out, "--learn", "--library", str(library)]) == 0

    printed = capsys.readouterr().out
    assert "stored 4 correction(s)" in printed and "by Ada" in printed
    corrected = Document.read(work / "out" / "sld-23-000.json")
    page = corrected.pages[0]
    assert deleted not in {c.id for c in page.components}
    assert {c.id: c.type for c in page.components}[retyped.id] == "surge_arrester"
    # The connections were derived again: the new fuse sits on the wire between the two.
    assert all(deleted not in pair for pair in page.connections)
    assert (min(upper, lower), max(upper, lower)) not in page.connections
    assert (min(upper, "p0-r0"), max(upper, "p0-r0")) in page.connections
    assert (min(lower, "p0-r0"), max(lower, "p0-r0")) in page.connections
    with sqlite3.connect(database) as connection:
        reviewed = connection.execute("SELECT reviewed_by FROM documents").fetchall()
        accepted = connection.execute("SELECT accepted_by FROM pages").fetchall()
        actions = connection.execute(
            "SELECT action, target_id, made_by FROM corrections ORDER BY position"
        ).fetchall()
        learned = connection.execute("SELECT learned FROM reviews").fetchone()[0]
        stored = connection.execute(
            "SELECT component_a_id, component_b_id FROM connections"
        ).fetchall()
    assert reviewed == [("Ada",)] and accepted == [("Ada",)]
    assert actions == [
        ("delete", deleted, "Ada"),
        ("add", "p0-r0", "Ada"),
        ("retype", retyped.id, "Ada"),
        ("accept_page", None, "Ada"),
    ]
    assert sorted(stored) == sorted(page.connections)
    # The added and the retyped box are now exemplars of the user library.
    exemplars = sorted(library.glob("*/*.json"))
    assert [e.parent.name for e in exemplars] == ["fuse", "surge_arrester"]
    assert sorted(json.loads(learned)) == [str(e) for e in exemplars]
    # The review page written beside it knows the result is reviewed.
    assert '"reviewedBy":"Ada"' in report_path(work / "out" / "sld-23-000.json").read_text()

    # The same file again: it was made on the result before this review.
    assert main([*arguments, *out]) == USER_ERROR
    assert "another result" in capsys.readouterr().err


def test_mistakes_get_one_line_and_exit_code_2(
    digitised: tuple[Path, Path, Document], capsys: pytest.CaptureFixture[str]
) -> None:
    work, database, document = digitised
    db = ["--db", f"sqlite:///{database}"]
    file = work / "ok.corrections.json"
    file.write_text(json.dumps(corrections_file(document, {"action": "accept_page"})))
    other = json.loads(file.read_text())
    other["document"]["sha256"] = "f" * 64
    unknown = work / "unknown.corrections.json"
    unknown.write_text(json.dumps(other))
    shutil.copy(file, work / "moved.corrections.json")
    cases: list[tuple[list[str], str]] = [
        (["corrections", "apply", str(work / "none.json"), *db], "cannot read it"),
        (["corrections", "apply", str(unknown), *db], "digitise the drawing into this database"),
        (["corrections", "apply", str(file), *db, "--learn"], "--learn needs the user symbol"),
        (["report", "no-such.pdf", *db], "no-such.pdf: no stored document has that path"),
        (
            ["report", str(work / "out" / "sld-23-000.json"), "--source", str(work / "x.pdf")],
            "give the drawing with --source",
        ),
        (["export", "77", "--format", "csv", *db], "no document with id 77"),
    ]
    for arguments, message in cases:
        capsys.readouterr()
        assert main(arguments) == USER_ERROR, arguments
        err = capsys.readouterr().err
        assert message in err, (arguments, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) <= 2, err
